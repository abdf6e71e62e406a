import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../support/paths';

// `bulkhead fix` killed at any moment leaves every file either as it was or fully fixed, and a
// change made to a file while fix runs is never overwritten. The CLI runs as a real child process.
const CLI = repoPath('out', 'src', 'cli', 'main.js');
const PADDING = `# ${'x'.repeat(70)}\n`;
const ORIGINAL = `FROM debian:12\nRUN apt-get update && apt-get install curl\n${PADDING.repeat(Math.ceil(6_300_000 / PADDING.length))}CMD ["sh"]\n`;

function runFix(file: string, killAt?: { signal: NodeJS.Signals; delayMs: number; onFirstWrite: boolean }): Promise<number | NodeJS.Signals> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'fix', file], { stdio: 'ignore' });
    let watcher: ReturnType<typeof watch> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => {
      timer = setTimeout(() => child.kill(killAt!.signal), killAt!.delayMs);
    };
    if (killAt?.onFirstWrite) {
      // The first change in the folder is the start of the write (the temp file appearing).
      watcher = watch(join(file, '..'), () => {
        watcher?.close();
        watcher = undefined;
        kill();
      });
    } else if (killAt) kill();
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      watcher?.close();
      clearTimeout(timer);
      resolve(signal ?? code ?? -1);
    });
  });
}

test('fix killed (SIGKILL, SIGINT) at random points of a 6 MB write: never a truncated or mixed file', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-kill-'));
  try {
    const file = join(dir, 'Dockerfile');
    const pristine = join(dir, 'pristine');
    writeFileSync(pristine, ORIGINAL);
    assert.ok(ORIGINAL.length >= 6_000_000);
    copyFileSync(pristine, file);
    const started = Date.now();
    assert.equal(await runFix(file), 0);
    const fullRun = Date.now() - started;
    const fixed = readFileSync(file, 'utf8');
    assert.notEqual(fixed, ORIGINAL, 'the file has something to fix');

    const outcomes = { original: 0, fixed: 0 };
    const tries: { signal: NodeJS.Signals; delayMs: number; onFirstWrite: boolean }[] = [];
    for (let i = 0; i < 24; i++) tries.push({ signal: 'SIGKILL', onFirstWrite: i % 2 === 0, delayMs: i % 2 === 0 ? Math.random() * 40 : Math.random() * fullRun });
    for (let i = 0; i < 6; i++) tries.push({ signal: 'SIGINT', onFirstWrite: i % 2 === 0, delayMs: i % 2 === 0 ? Math.random() * 40 : Math.random() * fullRun });
    for (const attempt of tries) {
      copyFileSync(pristine, file);
      await runFix(file, attempt);
      const now = readFileSync(file, 'utf8');
      assert.ok(now === ORIGINAL || now === fixed, `after ${attempt.signal} at ${attempt.delayMs.toFixed(0)} ms: ${now.length} chars, neither the original nor the fixed file`);
      outcomes[now === ORIGINAL ? 'original' : 'fixed']++;
      // A killed run may leave its own temp file (never the target): clean it for the next try.
      for (const name of readdirSync(dir)) {
        if (name === 'Dockerfile' || name === 'pristine') continue;
        assert.match(name, /^\.Dockerfile\.bulkhead-\d+-[0-9a-f]+\.tmp$/);
        rmSync(join(dir, name));
      }
    }
    console.log(`kill test: ${tries.length} tries, full run ${fullRun} ms: ${outcomes.original} left the original, ${outcomes.fixed} the fixed file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file appended to while fix runs keeps the appended text', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-race-'));
  try {
    const file = join(dir, 'Dockerfile');
    for (let i = 0; i < 5; i++) {
      writeFileSync(file, ORIGINAL);
      const marker = `# appended while fix ran ${i}\n`;
      const run = runFix(file);
      // Appended at some moment of the run: before the read (then fixed with it) or after (then the write is refused).
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
      appendFileSync(file, marker);
      const code = await run;
      const now = readFileSync(file, 'utf8');
      assert.ok(now.endsWith(marker), `try ${i}: the appended line was lost (exit ${code})`);
      if (code === 2) assert.equal(now, ORIGINAL + marker, 'refused: the file is exactly as the user left it');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
