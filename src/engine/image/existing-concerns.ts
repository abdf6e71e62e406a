// The image side of concerns whose rule modules already exist (user-root, healthcheck-missing,
// secret-in-env, ssh-port, apt-lists-not-cleaned, apk-cache-kept). Each function is moved into the rule module at merge, as its `image`
// check; until then checkImage runs them under the module's id and metadata.
import type { Report } from '../rule';
import { includesSshPort, isRootUser } from '../runtime/judge';
import { judgeSecret } from '../runtime/secrets';
import type { ImageContext } from './context';
import { parseCreatedBy } from './history';
import { leftoverReports } from './leftovers';

function imageUserRoot(ctx: ImageContext): Report[] {
  const user = ctx.config.User ?? '';
  if (!isRootUser(user)) return [];
  const step = lastStep(ctx, 'USER');
  return [{ message: user ? `the image runs as root (USER ${user})` : 'the image runs as root (no USER set)', evidence: `Config.User=${JSON.stringify(user)}`, step }];
}

function imageHealthcheck(ctx: ImageContext): Report[] {
  const test = ctx.config.Healthcheck?.Test;
  if (!test || !test.length) return [{ message: 'the image defines no health check', evidence: 'Config.Healthcheck=null' }];
  if (test[0] === 'NONE') return [{ message: 'the image disables the health check of its base image', evidence: 'Config.Healthcheck.Test=["NONE"]', severity: 'warning', step: lastStep(ctx, 'HEALTHCHECK') }];
  return [];
}

/** Config.Env, and ENV/ARG values the history recorded (values a later ENV overwrote stay readable there). */
function imageSecretInEnv(ctx: ImageContext): Report[] {
  const reports: Report[] = [];
  const seen = new Set<string>();
  // One report per variable: a build arg shows up in its ARG step and again in every RUN after it.
  const report = (name: string, value: string, where: string, step?: number) => {
    const kind = judgeSecret(name, value);
    if (!kind || seen.has(name)) return;
    seen.add(name);
    const what = kind === 'connection-string' ? 'a connection string with an inline password' : 'a secret in plain text';
    reports.push({ message: `${where} ${name} holds ${what}: anyone who can pull the image reads it${where === 'Config.Env' ? '' : ' in its history'}`, evidence: `${where} ${name}=<hidden>`, step });
  };
  for (const entry of ctx.config.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) report(entry.slice(0, eq), entry.slice(eq + 1), 'Config.Env', lastEnvStep(ctx, entry.slice(0, eq)));
  }
  ctx.history.forEach((h, step) => {
    const parsed = parseCreatedBy(h.createdBy);
    for (const a of parsed.buildArgs) report(a.name, a.value, 'build arg', step);
    if (parsed.keyword === 'ENV' || parsed.keyword === 'ARG') {
      for (const [, name, value] of parsed.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) {
        if (!(ctx.config.Env ?? []).some((e) => e.startsWith(`${name}=`))) report(name, value.replace(/^["']|["']$/g, ''), parsed.keyword === 'ARG' ? 'build arg' : 'ENV (history)', step);
      }
    }
  });
  return reports;
}

function imageSshPort(ctx: ImageContext): Report[] {
  const exposed = Object.keys(ctx.config.ExposedPorts ?? {}).filter((k) => k.endsWith('/tcp') && includesSshPort(k.split('/')[0]));
  return exposed.length ? [{ message: 'the image exposes port 22 (SSH)', evidence: `Config.ExposedPorts has ${exposed.map((p) => JSON.stringify(p)).join(', ')}`, step: lastStep(ctx, 'EXPOSE') }] : [];
}

function lastStep(ctx: ImageContext, keyword: string): number | undefined {
  for (let k = ctx.history.length - 1; k >= 0; k--) if (parseCreatedBy(ctx.history[k].createdBy).keyword === keyword) return k;
  return undefined;
}

function lastEnvStep(ctx: ImageContext, name: string): number | undefined {
  for (let k = ctx.history.length - 1; k >= 0; k--) {
    const p = parseCreatedBy(ctx.history[k].createdBy);
    if (p.keyword === 'ENV' && p.args.split(/\s+/).some((w) => w === name || w.startsWith(`${name}=`))) return k;
  }
  return undefined;
}

function imageAptListsNotCleaned(ctx: ImageContext): Report[] {
  return leftoverReports(ctx, ['apt-lists', 'apt-archives']);
}

function imageApkCacheKept(ctx: ImageContext): Report[] {
  return leftoverReports(ctx, ['apk-cache']);
}

/** Rule id → its image check, for the modules that do not have one yet. */
export const EXISTING_CONCERN_IMAGE_CHECKS: Readonly<Record<string, (ctx: ImageContext) => Report[]>> = {
  'user-root': imageUserRoot,
  'healthcheck-missing': imageHealthcheck,
  'secret-in-env': imageSecretInEnv,
  'ssh-port': imageSshPort,
  'apt-lists-not-cleaned': imageAptListsNotCleaned,
  'apk-cache-kept': imageApkCacheKept,
};
