import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { connectEngine, type EngineTarget } from '../../src/docker/connection';
import { analyseEngine } from '../../src/docker/containers';
import { DOCKER_CLI, TEST_IMAGE, docker, dockerTestOptions, uniqueName } from '../support/docker';

// ssh:// engines the way the docker CLI reaches them: an ssh session that runs
// `docker system dial-stdio` on the remote host. No sshd is installed here, so the server side is
// ssh2's Server (the library docker-modem's client comes from) with real public-key
// authentication through a real ssh-agent; the remote command runs the real docker CLI against
// the real engine.

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ssh2 = require('ssh2') as {
  Server: new (config: { hostKeys: Buffer[] }, listener: (client: SshClient) => void) => { listen(port: number, host: string, cb: () => void): void; address(): AddressInfo; close(): void };
  utils: { parseKey(data: Buffer | string): SshKey | Error };
};
interface SshKey {
  type: string;
  getPublicSSH(): Buffer;
  verify(data: Buffer, signature: Buffer, hashAlgo?: string): boolean | Error;
}
interface SshAuth {
  method: string;
  username: string;
  key?: { algo: string; data: Buffer };
  signature?: Buffer;
  blob?: Buffer;
  hashAlgo?: string;
  accept(): void;
  reject(methods?: string[]): void;
}
interface SshStream extends NodeJS.ReadWriteStream {
  exit(code: number): void;
  stderr: NodeJS.WritableStream;
}
interface SshClient {
  on(event: 'authentication', cb: (ctx: SshAuth) => void): SshClient;
  on(event: 'ready', cb: () => void): SshClient;
  on(event: 'error', cb: (e: Error) => void): SshClient;
  on(event: 'close', cb: () => void): SshClient;
  on(event: 'session', cb: (accept: () => SshSession) => void): SshClient;
}
interface SshSession {
  on(event: 'exec', cb: (accept: () => SshStream, reject: () => void, info: { command: string }) => void): void;
}

const options = existsSync('/usr/bin/ssh-agent') && existsSync('/usr/bin/ssh-keygen') ? dockerTestOptions() : { skip: 'ssh-agent/ssh-keygen not installed' };
const dir = mkdtempSync(join(tmpdir(), 'bulkhead-ssh-'));
const agentSocket = join(dir, 'agent.sock');
const NAME = uniqueName('ssh');
let agent: ChildProcess | undefined;
let server: ReturnType<typeof startServer> | undefined;
const commandsRun: string[] = [];
let openSessions = 0;
let maxSessions = 0;

function startServer(allowedUser: string, allowedKey: SshKey, hostKey: Buffer) {
  const srv = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client
      .on('authentication', (ctx) => {
        const ok =
          ctx.username === allowedUser &&
          ctx.method === 'publickey' &&
          ctx.key?.algo === allowedKey.type &&
          ctx.key.data.equals(allowedKey.getPublicSSH()) &&
          (!ctx.signature || allowedKey.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true);
        if (ok) ctx.accept();
        else ctx.reject(['publickey']);
      })
      .on('error', () => undefined)
      .on('session', (accept) => {
        accept().on('exec', (acceptExec, reject, info) => {
          commandsRun.push(info.command);
          if (info.command !== 'docker system dial-stdio') return reject();
          const stream = acceptExec();
          maxSessions = Math.max(maxSessions, ++openSessions);
          // The session ends when its channel or its connection closes. The channel's 'close' alone
          // misses sessions: once dial-stdio exits, pipe() unhooks the channel from its stdin, the
          // channel's readable side stays paused and ssh2 never emits 'close' for it.
          let open = true;
          const ended = () => {
            if (open) openSessions--;
            open = false;
          };
          stream.on('close', ended);
          client.on('close', ended);
          const child = spawn(DOCKER_CLI, ['system', 'dial-stdio'], { env: { PATH: process.env.PATH } });
          stream.pipe(child.stdin);
          child.stdout.pipe(stream);
          // 'close', not 'exit': the engine's last bytes may still be in the pipe when dial-stdio exits.
          child.on('close', (code) => {
            stream.exit(code ?? 1);
            stream.end();
          });
          stream.on('close', () => child.kill());
        });
      });
  });
  return srv;
}

describe('ssh:// engines', options, () => {
  before(async () => {
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519'), '-C', 'bulkhead-test']);
    execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    agent = spawn('/usr/bin/ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    for (let i = 0; i < 50 && !existsSync(agentSocket); i++) await new Promise((r) => setTimeout(r, 100));
    execFileSync('/usr/bin/ssh-add', [join(dir, 'id_ed25519')], { env: { SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });
    const key = ssh2.utils.parseKey(readFileSync(join(dir, 'id_ed25519.pub')));
    if (key instanceof Error) throw key;
    server = startServer('deploy', key, readFileSync(join(dir, 'host_key')));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    docker(['create', '--name', NAME, '--cap-add', 'SYS_ADMIN', TEST_IMAGE, 'sleep', '60']);
  });

  after(() => {
    spawnSync(DOCKER_CLI, ['rm', '-f', NAME]);
    server?.close();
    agent?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = (user: string): EngineTarget => ({ host: `ssh://${user}@127.0.0.1:${server!.address().port}`, source: 'test' });

  test('an ssh:// engine is reached through ssh-agent and docker system dial-stdio; its containers are analysed', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agentSocket;
    try {
      const connection = await connectEngine(target('deploy'), 20000);
      assert.ok(connection.ok, JSON.stringify(!connection.ok && connection.problem));
      const local = docker(['version', '--format', '{{.Server.Version}}']).trim();
      assert.equal(connection.version, local);
      const containers = await analyseEngine(connection.client, target('deploy'), { readLive: false });
      const mine = containers.find((c) => c.name === NAME);
      assert.ok(mine, 'the container created on the engine is listed over ssh');
      assert.equal(mine.engine, target('deploy').host);
      assert.ok(mine.findings.some((f) => f.ruleId === 'cap-add'));
      assert.ok(commandsRun.every((c) => c === 'docker system dial-stdio'));
      assert.ok(commandsRun.length > 0);
      assert.ok(maxSessions <= 5, `at most a few ssh sessions at once (saw ${maxSessions})`);

      let out = '';
      let err = '';
      const code = await main(['audit', 'containers', '--format', 'json', '--engine', target('deploy').host], { out: (t) => (out += t), err: (t) => (err += t) });
      assert.ok(code === 0 || code === 1, err);
      assert.ok((JSON.parse(out) as { containers: { name: string }[] }).containers.some((c) => c.name === NAME));
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  test('an ssh user the host refuses is a problem state with a message, not a throw', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agentSocket;
    try {
      const result = await connectEngine(target('intruder'), 20000);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.problem.message, /ssh:\/\/intruder@127\.0\.0\.1/);
      assert.match(result.problem.message, /authentication/i);
      assert.match(result.problem.hint ?? '', /ssh-agent/);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
