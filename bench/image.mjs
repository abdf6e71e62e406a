// Image audit speed and memory: Bulkhead's audit of an image (inspect, history, every layer streamed
// through the fact scanner, all image rules) next to just reading the same export
// (`docker save IMG | cat > /dev/null`), measured in the same run, for a small image and images of
// about 100 and 300 MB built here from random files. Peak RSS of the audit is measured in a fresh
// process per run: it should stay flat as the image grows (layers are streamed, never held).
// Usage: node bench/image.mjs [runs=3]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { bundleEngine } from './engine.mjs';

const RUNS = Number(process.argv[2] ?? 3);
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const TAG = `bulkhead-bench-image-${process.pid}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const scratch = mkdtempSync(join(tmpdir(), 'bulkhead-bench-image-'));
const images = [];

function cleanup() {
  for (const name of images) {
    try {
      execFileSync(DOCKER, ['image', 'rm', '-f', name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

// Bulkhead's own modules, bundled from source so the bench measures the code in the tree.
const entry = await bundleEngine(
  'image',
  "export { readImage } from './src/docker/image-reader'; export { checkImage } from './src/engine/image/lint'; export { createClient, resolveDefaultEngine } from './src/docker/connection';",
);
const child = join(scratch, 'audit.js');
writeFileSync(
  child,
  `const { readImage, checkImage, createClient, resolveDefaultEngine } = require(${JSON.stringify(entry)});
(async () => {
  const t0 = performance.now();
  const image = await readImage(createClient(resolveDefaultEngine(), { timeoutMs: 120000 }), process.argv[2]);
  const findings = checkImage(image).findings.length;
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, findings, rssMiB: process.resourceUsage().maxRSS / 1024 }));
})();`,
);

/** Builds an image from local/busybox:test with `mib` MiB of random files in `files` layers. */
function build(name, mib, files) {
  const dir = join(scratch, name.replace(/[^a-z0-9]/g, '_'));
  execFileSync('mkdir', ['-p', dir]);
  const lines = ['FROM local/busybox:test', 'RUN mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/x && chmod 4755 /usr/local/bin/x'];
  for (let k = 0; k < files; k++) {
    writeFileSync(join(dir, `blob${k}`), randomBytes(Math.round((mib * 1024 * 1024) / files)));
    lines.push(`COPY blob${k} /data/blob${k}`);
  }
  lines.push('USER 10001');
  writeFileSync(join(dir, 'Dockerfile'), lines.join('\n') + '\n');
  execFileSync(DOCKER, ['build', '--quiet', '-t', name, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 900000 });
  images.push(name);
  rmSync(dir, { recursive: true, force: true });
}

/** `docker save IMG | cat > /dev/null`: the time to just read the export through a pipe. */
function save(name) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let bytes = 0;
    const p = spawn(DOCKER, ['save', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.on('data', (c) => (bytes += c.length));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`docker save exited ${code}`))));
  });
}

function audit(name) {
  return JSON.parse(execFileSync(process.execPath, [child, name], { encoding: 'utf8', timeout: 900000 }));
}

try {
  const sizes = [
    { label: 'small', mib: 0, files: 0 },
    { label: '~100 MB', mib: 100, files: 4 },
    { label: '~300 MB', mib: 300, files: 6 },
  ];
  const rows = [];
  for (const s of sizes) {
    const name = `${TAG}-${s.mib}:bench`;
    build(name, s.mib, s.files);
    const saves = [];
    const audits = [];
    for (let r = 0; r < RUNS; r++) {
      saves.push(await save(name));
      audits.push(audit(name));
    }
    const saveMs = median(saves.map((x) => x.ms));
    const auditMs = median(audits.map((x) => x.ms));
    rows.push({ image: s.label, exportMiB: (saves[0].bytes / 1048576).toFixed(1), saveMs: saveMs.toFixed(0), auditMs: auditMs.toFixed(0), ratio: (auditMs / saveMs).toFixed(2), peakRssMiB: Math.max(...audits.map((x) => x.rssMiB)).toFixed(0), findings: audits[0].findings });
  }
  console.table(rows);
  const rss = rows.map((r) => Number(r.peakRssMiB));
  console.log(`audit / (docker save | cat): ${rows.map((r) => `${r.image} ${r.ratio}x`).join(', ')}`);
  console.log(`peak RSS of the audit: ${rows.map((r) => `${r.image} ${r.peakRssMiB} MiB`).join(', ')} (largest / smallest ${(rss[rss.length - 1] / rss[0]).toFixed(2)}x while the export grows ${(Number(rows[rows.length - 1].exportMiB) / Number(rows[0].exportMiB)).toFixed(0)}x)`);
} finally {
  cleanup();
}
