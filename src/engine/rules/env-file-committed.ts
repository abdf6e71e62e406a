import { isMap } from 'yaml';
import { defineRule, type Report } from '../rule';
import { listEntries, servicesText } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import { parseDotenv } from '../compose/dotenv';
import type { ComposeService } from '../compose/service';
import { isInterpolated, mapGet, rangeOf, scalarString } from '../compose/values';
import type { OffsetRange } from '../model';
import { judgeSecret } from '../runtime/secrets';

/** Secret names listed in a message; the rest are counted. */
const MAX_NAMED_SECRETS = 8;

/** `env_file: x.env`, `[a.env, b.env]`, or the long form `- path: x.env` (`required: false`). */
function envFiles(ctx: ComposeContext, s: ComposeService): { path: string; node: unknown; range: OffsetRange | undefined }[] {
  const out: { path: string; node: unknown; range: OffsetRange | undefined }[] = [];
  for (const entry of listEntries(ctx, s.get('env_file'))) {
    const path = entry.text ?? (isMap(entry.node) ? scalarString(mapGet(ctx, entry.node, 'path')?.node) : undefined);
    if (path && !isInterpolated(path)) out.push({ path, node: entry.node, range: rangeOf(entry.node) });
  }
  return out;
}

/** What the committed file holds: the names of its secret entries, or why it was not read. */
function secretNames(ctx: ComposeContext, path: string): string[] | string {
  const read = ctx.readProjectFile?.(ctx.file, path);
  if (read?.kind === 'text') return [...new Set(parseDotenv(read.text).filter((e) => judgeSecret(e.name, e.value)).map((e) => e.name))];
  // Files outside the compose file's folder are never read: a repository must not make Bulkhead quote the machine's files.
  return read?.kind === 'outside' ? 'it lies outside the project folder, so it was not read' : read?.kind === 'missing' ? 'it is not on disk here' : 'it could not be read';
}

export default defineRule({
  meta: {
    id: 'env-file-committed',
    title: 'env_file with secrets committed to version control',
    severity: 'warning',
    severityWhen: { info: 'the file could not be read to check what it holds' },
    targets: ['compose'],
    rationale:
      'An `env_file` keeps values out of the compose file, which only helps when the env file itself stays out of the repository. Once committed, its passwords and tokens are in every clone and in the history for good, deleting the file later does not remove them. Bulkhead asks git (`git ls-files`, through the CLI or the editor\'s Git extension) whether the file is tracked, and reads it inside the project to name the entries that look like secrets; the values are never shown.',
    remediation:
      'Untrack the file (`git rm --cached FILE`), add it to `.gitignore`, commit a `FILE.example` with placeholder values instead, and rotate every secret it held: the history still has them. Alternatively keep only non-secret settings in the committed file and pass secrets with compose `secrets:` or `${VAR:?…}` from the environment.',
    refs: {},
    examples: {
      compose: {
        bad: ['services:\n  api:\n    image: example/api:1.0\n    env_file: ./app.env\n'],
        good: ['services:\n  api:\n    image: example/api:1.0\n    env_file:\n      - ./local.env\n'],
      },
    },
  },
  compose(ctx) {
    if (!ctx.isCommitted) return [];
    // An env_file written once in an anchor that several services merge is one file: one finding there.
    const byEntry = new Map<unknown, { path: string; range: OffsetRange | undefined; services: ComposeService[] }>();
    for (const s of ctx.services) {
      for (const f of envFiles(ctx, s)) {
        const group = byEntry.get(f.node);
        if (group) group.services.push(s);
        else byEntry.set(f.node, { path: f.path, range: f.range, services: [s] });
      }
    }
    const reports: Report[] = [];
    for (const { path, range, services } of byEntry.values()) {
      if (ctx.isCommitted(ctx.file, path) !== true) continue;
      const names = secretNames(ctx, path);
      // A committed file of plain settings (ports, log levels) is what env_file is for.
      if (Array.isArray(names) && !names.length) continue;
      const who = `${servicesText(services)} ${services.length > 1 ? 'read' : 'reads'} env_file ${path}, committed to version control`;
      if (typeof names === 'string') {
        reports.push({ message: `${who}: ${names} to check for secrets; if it holds any, they are in the repository's history`, range, severity: 'info', fixes: [] });
        continue;
      }
      const listed = names.slice(0, MAX_NAMED_SECRETS).join(', ') + (names.length > MAX_NAMED_SECRETS ? ` and ${names.length - MAX_NAMED_SECRETS} more` : '');
      // No text fix: untracking a file and rotating its secrets happen outside the compose file.
      reports.push({ message: `${who}, with secrets (${listed}; values not shown): they are in the repository's history`, range, fixes: [] });
    }
    return reports;
  },
});
