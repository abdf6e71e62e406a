import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's docker client (an older one sits earlier on PATH on these machines). */
export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
export const TEST_IMAGE = 'local/busybox:test';

let checked: string | undefined | null = null;

/**
 * Why Docker tests cannot run here, or undefined when an engine answers and the test image exists.
 * `scripts/ensure-docker.sh` (run by `npm test`) installs and starts one where it can.
 */
export function dockerUnavailable(): string | undefined {
  if (checked !== null) return checked;
  const v = spawnSync(DOCKER_CLI, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15000 });
  if (v.status !== 0) checked = `no Docker engine answers (${(v.stderr || v.error?.message || '').trim().split('\n')[0]}); run scripts/ensure-docker.sh`;
  else if (spawnSync(DOCKER_CLI, ['image', 'inspect', TEST_IMAGE], { timeout: 15000 }).status !== 0) checked = `image ${TEST_IMAGE} missing; run scripts/ensure-docker.sh`;
  else checked = undefined;
  return checked;
}

/**
 * Options for node:test: Docker tests fail loudly when no engine answers, unless the run
 * explicitly allows skipping (BULKHEAD_ALLOW_NO_DOCKER=1), in which case they are skipped with the reason.
 */
export function dockerTestOptions(): { skip?: string } {
  const why = dockerUnavailable();
  if (!why) return {};
  if (process.env.BULKHEAD_ALLOW_NO_DOCKER === '1') return { skip: why };
  throw new Error(`Docker tests need an engine: ${why}`);
}

/** Runs the docker CLI with an argument array (never a shell string). */
export function docker(args: string[], opts: { input?: string; cwd?: string; timeout?: number } = {}): string {
  return execFileSync(DOCKER_CLI, args, { encoding: 'utf8', input: opts.input, cwd: opts.cwd, timeout: opts.timeout ?? 120000, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A unique name prefix, so parallel or leftover runs never collide. */
export function uniqueName(prefix: string): string {
  return `bulkhead-test-${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Writes `files` (executable) into a fresh folder, runs `body` on it, and removes it. */
export function withContext<T>(files: Record<string, string>, body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-context-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o755 });
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds Dockerfiles as `<prefix>/case:N` and remembers every tag in `images` (the suite removes
 * them): the tag on success, the builder's output on failure.
 */
export function buildImage(prefix: string, images: string[], dockerfile: string, files: Record<string, string> = {}): { image?: string; error?: string } {
  const image = `${prefix}/case:${images.length}`;
  return withContext({ ...files, Dockerfile: dockerfile }, (dir) => {
    const r = spawnSync(DOCKER_CLI, ['build', '--quiet', '-t', image, dir], { encoding: 'utf8', timeout: 300000 });
    if (r.status !== 0) return { error: `${r.stderr}${r.stdout}` };
    images.push(image);
    return { image };
  });
}
