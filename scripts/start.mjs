// `npm start`: builds, then opens a real VS Code with Bulkhead loaded from source on examples/.
// Uses `code --extensionDevelopmentPath` when VS Code is on PATH; otherwise code-server (offline
// capable), printing the URL to open. BULKHEAD_PORT picks code-server's port (default 8080).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureCodeServer, freePort, startCodeServer, workbenchUrl } from './vscode-host.mjs';

const EXAMPLES = join(ROOT, 'examples');
execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const code = process.env.BULKHEAD_NO_DESKTOP ? null : spawnSync('code', ['--version'], { encoding: 'utf8' });
if (code && code.status === 0 && !/code-server/.test(code.stdout)) {
  spawn('code', [`--extensionDevelopmentPath=${ROOT}`, EXAMPLES], { stdio: 'inherit', detached: true }).unref();
  console.log('Opened VS Code with Bulkhead loaded on examples/.');
} else {
  const port = Number(process.env.BULKHEAD_PORT ?? 0) || (await portOr(8080));
  const scratch = mkdtempSync(join(tmpdir(), 'bulkhead-start-'));
  const bin = ensureCodeServer();
  const server = await startCodeServer({
    bin, port, workspace: EXAMPLES,
    userDataDir: join(scratch, 'user-data'), extensionsDir: join(scratch, 'extensions'),
  });
  const url = workbenchUrl(port, EXAMPLES);
  console.log(`\nBulkhead is running in VS Code (code-server) on examples/.\nOpen this URL in a browser:\n\n  ${url}\n\nPress Ctrl+C to stop.`);
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', (c) => process.exit(c ?? 0));
}

async function portOr(preferred) {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => freePort().then(resolve));
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(preferred)));
  });
}
