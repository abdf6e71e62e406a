// Strace log parsing: Bulkhead's parseStraceLog + capability inference + profile building on a
// large log (the recorded busybox traces repeated to ~N MiB), next to two peers measured in the
// same run on the same text: awk extracting syscall names (what a shell script would do), and a
// bare JS regex name count (the lower bound for anything that reads every line).
// Target: a 10-minute trace of a busy service (~50 MiB) in well under 10 s.
// Run: node bench/profile.mjs [MiB] [rounds]
import { loadEngine } from './engine.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const mib = Number(process.argv[2] ?? 20);
const rounds = Number(process.argv[3] ?? 3);

const { profileFromStrace } = await loadEngine('profile', "export { profileFromStrace } from './src/engine/profile';");

const seed = ['busybox-o-file.log', 'busybox-stderr.log'].map((f) => readFileSync(join('test', 'fixtures', 'strace', f), 'utf8')).join('');
let text = '';
while (text.length < mib * 1048576) text += seed;
const outDir = join('node_modules', '.cache', 'bulkhead-bench');
const logFile = join(outDir, 'profile-bench.log');
writeFileSync(logFile, text);
const sizeMiB = Buffer.byteLength(text) / 1048576;

function time(fn) {
  let best = Infinity;
  let result;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    result = fn();
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, result };
}

const ours = time(() => profileFromStrace(text));
const naive = time(() => {
  const counts = new Map();
  for (const m of text.matchAll(/^(?:\[pid\s+\d+\]\s*|\d+\s+)?([a-z_][a-z0-9_]*)\(/gm)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
});
const awk = time(() =>
  execFileSync('awk', ['{ sub(/^\\[pid +[0-9]+\\] */, ""); sub(/^[0-9]+ +/, ""); if (match($0, /^[a-z_][a-z0-9_]*\\(/)) n[substr($0, 1, RLENGTH - 1)]++ } END { for (k in n) print k, n[k] }', logFile], { encoding: 'utf8', maxBuffer: 1 << 26 }),
);

const names = ours.result.counts.size;
const naiveNames = naive.result.size;
const awkNames = awk.result.trim().split('\n').length;
const rate = (ms) => `${(sizeMiB / (ms / 1000)).toFixed(0)} MiB/s`;
console.log(`strace log: ${sizeMiB.toFixed(1)} MiB, ${ours.result.log.calls.length} calls, ${names} distinct syscalls (awk found ${awkNames}, bare regex ${naiveNames}); best of ${rounds}`);
console.log(`  bulkhead profileFromStrace  ${ours.ms.toFixed(0).padStart(6)} ms  ${rate(ours.ms)}  (parse + unfinished/resumed joining + capabilities + profile)`);
console.log(`  awk name count (peer)       ${awk.ms.toFixed(0).padStart(6)} ms  ${rate(awk.ms)}  ratio bulkhead/awk ${(ours.ms / awk.ms).toFixed(2)}`);
console.log(`  bare JS regex (lower bound) ${naive.ms.toFixed(0).padStart(6)} ms  ${rate(naive.ms)}  ratio bulkhead/regex ${(ours.ms / naive.ms).toFixed(2)}`);
console.log(`  10-minute busy trace (~50 MiB) estimate: ${((50 / sizeMiB) * ours.ms / 1000).toFixed(1)} s`);
