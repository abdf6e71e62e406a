import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { pipInstalls } from '../dockerfile/packages';
import { runCommands, sameRun, subcommand, unwrapSudo, type RunCommand } from '../dockerfile/run';

// Downloads from a reference that moves (a branch, "latest"). Registry packages without a version
// are package-unpinned: a different fix (a commit or checksum here, a version there).

/** Branch names that are always moving; a tag or commit is what pins. */
const BRANCH = /^(?:main|master|develop|development|dev|trunk|HEAD|stable|nightly)$/i;

/** Why a URL names something that moves, or undefined when it does not look like it does. */
function movingReference(url: string): string | undefined {
  if (/^git\+/.test(url)) {
    const ref = /\/[^/@]+@([^/#@]+)(?:#.*)?$/.exec(url)?.[1];
    if (!ref) return 'the default branch of a git repository';
    return BRANCH.test(ref) ? `branch ${ref}` : undefined;
  }
  if (!/^https?:\/\//i.test(url)) return undefined;
  const path = url.replace(/^https?:\/\/[^/]+/i, '').split(/[?#]/)[0];
  const branch =
    /\/archive\/(?:refs\/heads\/)?([^/]+)\.(?:zip|tar\.gz|tgz)$/.exec(path)?.[1] ??
    /\/(?:tarball|zipball)\/([^/]+)$/.exec(path)?.[1] ??
    (/^https?:\/\/raw\.githubusercontent\.com\//i.test(url) ? path.split('/')[3] : undefined);
  if (branch && (BRANCH.test(branch) || branch === 'refs')) return `branch ${branch}`;
  if (/\/(?:[^/]*[-_.])?latest(?:[-_.][^/]*)?(?:\/|$)/i.test(path)) return 'the latest release';
  return undefined;
}

/** Whether a RUN pins a clone after the fact (`git checkout <ref>`, `git reset --hard <ref>`, `git -C dir checkout …`). */
function checksOutLater(run: RunCommand[], after: number): boolean {
  return run.some((c) => {
    const cmd = unwrapSudo(c);
    if (c.index <= after || cmd.name !== 'git') return false;
    const sub = subcommand(cmd.args, new Set(['-C', '-c']));
    return sub?.word.value === 'checkout' || sub?.word.value === 'reset' || sub?.word.value === 'switch';
  });
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const { args, sub } of pipInstalls(ctx)) {
    for (const word of args.slice(sub.index + 1)) {
      const why = movingReference(word.value);
      if (why) reports.push({ message: `pip install from ${why}: what gets installed changes whenever it moves`, range: { start: word.start, end: word.end }, fixes: [] });
    }
  }
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name === 'curl' || cmd.name === 'wget') {
      for (const word of cmd.args) {
        const why = movingReference(word.value);
        if (why) reports.push({ message: `${cmd.name} downloads ${why}: the file changes whenever it moves, and nothing checks what arrived`, range: { start: word.start, end: word.end }, fixes: [] });
      }
    } else if (cmd.name === 'git') {
      const sub = subcommand(cmd.args, new Set(['-C', '-c']));
      if (sub?.word.value !== 'clone') continue;
      const branchAt = cmd.args.findIndex((w) => /^(?:-b|--branch|--revision)(?:=|$)/.test(w.value));
      const branch = branchAt < 0 ? undefined : cmd.args[branchAt].value.includes('=') ? cmd.args[branchAt].value.split('=')[1] : cmd.args[branchAt + 1]?.value;
      if (branch !== undefined && !BRANCH.test(branch)) continue;
      if (checksOutLater(sameRun(ctx, raw), raw.index)) continue;
      reports.push({
        message: `git clone ${branch ? `of branch ${branch}` : 'without --branch or a checkout'}: the build takes whatever commit the branch points to that day`,
        range: { start: cmd.nameWord.start, end: sub.word.end },
        fixes: [],
      });
    }
  }
  return reports.sort((a, b) => a.range!.start - b.range!.start);
}

export default defineRule({
  meta: {
    id: 'source-unpinned',
    title: 'Download from a moving reference',
    severity: 'info',
    targets: ['dockerfile'],
    rationale:
      'A branch archive (`…/archive/main.zip`), a `git clone` without a tag or commit, a `raw.githubusercontent.com/…/master/…` script or a `…/latest/…` URL returns different content over time: the image changes without a change to the Dockerfile, and a compromised or broken push lands in the next build unnoticed.',
    remediation:
      'Download a tag or a commit (`git clone --branch v1.4.2 --depth 1 …`, or `git checkout <sha>` after the clone; `pip install https://…/archive/<sha>.zip`, `git+https://…@v1.4.2`), a versioned release URL, and check its checksum (`echo "<sha256>  file" | sha256sum -c`). Turn it up or off in `.bulkhead.yaml` like any rule.',
    refs: {},
    examples: {
      dockerfile: {
        bad: [
          'FROM python:3.12-slim\nRUN pip install --no-cache-dir https://github.com/example/tool/archive/main.zip\n',
          'FROM alpine/git:2.45.2\nRUN git clone --depth 1 https://github.com/example/tool.git /src\n',
          'FROM debian:12\nRUN curl -fsSLo /usr/local/bin/tool https://github.com/example/tool/releases/latest/download/tool-linux-amd64\n',
        ],
        good: [
          'FROM python:3.12-slim\nRUN pip install --no-cache-dir https://github.com/example/tool/archive/v1.4.2.zip\n',
          'FROM alpine/git:2.45.2\nRUN git clone --depth 1 --branch v1.4.2 https://github.com/example/tool.git /src\n',
          'FROM debian:12\nRUN curl -fsSLo /usr/local/bin/tool https://github.com/example/tool/releases/download/v1.4.2/tool-linux-amd64\n',
        ],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
