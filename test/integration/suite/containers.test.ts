import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DOCKER_CLI, TEST_IMAGE, docker } from '../../support/docker';
import { screenshot, shown, sleep, waitFor } from '../support';
import { ping } from '../../support/isolated-dockerd';

interface DescribedNode {
  kind: string;
  label: string;
  description?: string;
  children?: DescribedNode[];
}
interface ViewState {
  visible: boolean;
  filter?: string;
  selection: string[];
  welcomeProblem?: string;
  description?: string;
  message?: string;
  engines: { host: string; status: string; problem?: { kind: string; message: string; hint?: string }; updates?: string }[];
  tree: DescribedNode[];
}

const state = async () => await vscode.commands.executeCommand<ViewState>('bulkhead.containers.viewState');

function flatten(nodes: DescribedNode[] = []): DescribedNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

async function containerNode(name: string, timeoutMs = 20_000): Promise<DescribedNode> {
  return waitFor(`${name} in the Containers view`, async () => flatten((await state()).tree).find((n) => n.kind === 'container' && n.label.startsWith(`${name} (`)), timeoutMs);
}

// Short names keep the sidebar readable in screenshots; the random part keeps runs apart.
const RUN = `bh${Math.random().toString(36).slice(2, 6)}`;
const FIXTURES: Record<string, string[]> = {
  capadmin: ['run', '-d', '--cap-add', 'SYS_ADMIN'],
  socket: ['run', '-d', '-v', '/var/run/docker.sock:/var/run/docker.sock'],
  nethost: ['run', '-d', '--network', 'host'],
  privileged: ['create', '--privileged', '-v', '/:/host'],
  hardened: ['run', '-d', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '64', '--restart', 'on-failure:3', '--health-cmd', 'true', '--network', `${RUN}-net`],
};
const nameOf = (key: string) => `${RUN}-${key}`;


/** A dockerd of its own (sockets, state, network and containerd namespaces); never the main engine. */
class IsolatedEngine {
  readonly dir = mkdtempSync('/tmp/bhv-');
  readonly socket = join(this.dir, 'docker.sock');
  private child: ChildProcess | undefined;

  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const ns = `bulkhead-view-${this.dir.slice(-6)}`;
    // unshare --net: with --bridge none, dockerd deletes docker0 in its namespace, so it must not be the host's.
    this.child = spawn('/usr/bin/unshare', [
      '--net', '/usr/sbin/dockerd', '--data-root', join(this.dir, 'data'), '--exec-root', join(this.dir, 'exec'), '--pidfile', join(this.dir, 'docker.pid'),
      '-H', `unix://${this.socket}`, '--bridge', 'none', '--iptables=false', '--ip-masq=false', '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-p`,
    ], { stdio: 'ignore' });
    await waitFor('isolated dockerd to answer', async () => (await ping(this.socket)) || undefined, 60_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    spawnSync('umount', ['-R', '-l', join(this.dir, 'exec')]);
    spawnSync('umount', ['-R', '-l', join(this.dir, 'data')]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

suite('containers view', () => {
  suiteSetup(async function () {
    this.timeout(120_000);
    docker(['network', 'create', `${RUN}-net`]);
    for (const [key, args] of Object.entries(FIXTURES)) {
      const [verb, ...rest] = args;
      docker([verb, '--name', nameOf(key), '--label', `bulkhead.test=${RUN}`, ...rest, TEST_IMAGE, 'sleep', '600']);
    }
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
    await vscode.commands.executeCommand('workbench.view.extension.bulkhead');
    await vscode.commands.executeCommand('bulkhead.containers.focus');
  });

  suiteTeardown(async () => {
    // Leave the window as other suites expect it: no editors or toasts of ours.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    const ids = spawnSync(DOCKER_CLI, ['ps', '-aq', '--filter', `label=bulkhead.test=${RUN}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    if (ids.length) spawnSync(DOCKER_CLI, ['rm', '-f', ...ids]);
    spawnSync(DOCKER_CLI, ['network', 'rm', `${RUN}-net`]);
  });

  test('the tree shows every fixture container with its state, severity counts and findings', async () => {
    const capadmin = await containerNode(nameOf('capadmin'));
    assert.equal(capadmin.label, `${nameOf('capadmin')} (${TEST_IMAGE})`);
    assert.match(capadmin.description ?? '', /^running · \d+ errors?/);
    assert.ok(capadmin.children?.some((f) => f.description === 'cap-add'), JSON.stringify(capadmin.children));
    const privileged = await containerNode(nameOf('privileged'));
    assert.match(privileged.description ?? '', /^created · \d+ errors?/);
    const privilegedRules = (privileged.children ?? []).map((f) => f.description);
    assert.ok(privilegedRules.includes('privileged') && privilegedRules.includes('sensitive-mount'), privilegedRules.join(', '));
    assert.ok((await containerNode(nameOf('socket'))).children?.some((f) => f.description === 'docker-socket'));
    assert.ok((await containerNode(nameOf('nethost'))).children?.some((f) => f.description === 'host-network'));
    const hardened = await containerNode(nameOf('hardened'));
    assert.equal(hardened.description, 'running · no findings');
    assert.equal(hardened.children, undefined);
    const s = await state();
    assert.equal(s.visible, true);
    assert.equal(s.engines[0].status, 'ready');
    await waitFor('the event stream', async () => (await state()).engines[0].updates === 'events' || undefined);
    // Expand the first container (capadmin sorts first) so the picture shows findings too.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('bulkhead.containers.focus');
    await vscode.commands.executeCommand('list.focusFirst');
    await vscode.commands.executeCommand('list.expand');
    await shown(RUN);
    await screenshot('containers-tree');
  });

  test('the tree sorts containers worst first, filters them, and reveals one for the audit webview', async () => {
    for (const key of Object.keys(FIXTURES)) await containerNode(nameOf(key));
    // Only this run's containers: other tests share the engine.
    await vscode.commands.executeCommand('bulkhead.containers.filter', RUN);
    const filtered = await state();
    assert.equal(filtered.filter, RUN);
    assert.equal(filtered.description, `filter: ${RUN}`);
    const shown = flatten(filtered.tree).filter((n) => n.kind === 'container');
    assert.deepEqual(shown.map((n) => n.label.split(' ')[0]).sort(), Object.keys(FIXTURES).map(nameOf).sort(), 'the filter keeps exactly the matching containers');
    const rank = (n: DescribedNode) => (/ errors?\b/.test(n.description ?? '') ? 0 : / warnings?\b/.test(n.description ?? '') ? 1 : / infos?\b/.test(n.description ?? '') ? 2 : 3);
    const ranks = shown.map(rank);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `worst first: ${shown.map((n) => `${n.label} ${n.description}`).join(' | ')}`);
    assert.equal(shown[shown.length - 1].label.split(' ')[0], nameOf('hardened'), 'the clean container comes last');
    assert.ok(shown.every((n) => /^(running|created|paused|exited) · /.test(n.description ?? '')), 'each row starts with its state');

    await vscode.commands.executeCommand('bulkhead.containers.filter', 'capadmin');
    assert.deepEqual(flatten((await state()).tree).filter((n) => n.kind === 'container' && n.label.startsWith(RUN)).map((n) => n.label.split(' ')[0]), [nameOf('capadmin')]);
    await screenshot('containers-filtered');

    // What a click on a container in the audit webview runs: the filter hiding it is cleared, and it is selected.
    const revealed = await vscode.commands.executeCommand<string>('bulkhead.containers.reveal', { name: nameOf('socket') });
    assert.equal(revealed, nameOf('socket'));
    const after = await waitFor('the container selected in the view', async () => {
      const s = await state();
      return s.selection.some((l) => l.startsWith(`${nameOf('socket')} (`)) && s;
    });
    assert.equal(after.filter, undefined);

    await vscode.commands.executeCommand('bulkhead.containers.filter', RUN);
    await vscode.commands.executeCommand('bulkhead.containers.clearFilter');
    const cleared = await state();
    assert.equal(cleared.filter, undefined);
    assert.equal(cleared.description, undefined);
  });

  test('starting and removing a container updates the tree without a refresh', async () => {
    const name = nameOf('live');
    docker(['run', '-d', '--name', name, '--label', `bulkhead.test=${RUN}`, '--security-opt', 'seccomp=unconfined', TEST_IMAGE, 'sleep', '600']);
    const node = await containerNode(name, 15_000);
    assert.ok(node.children?.some((f) => f.description === 'security-unconfined'), JSON.stringify(node.children));
    docker(['rm', '-f', name]);
    await waitFor('the removed container to leave the tree', async () => !flatten((await state()).tree).some((n) => n.label.startsWith(`${name} (`)) || undefined, 15_000);
  });

  test('a hidden view does not follow the engine; showing it again catches up', async () => {
    const name = nameOf('hidden');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the view to be hidden', async () => !(await state()).visible || undefined);
    try {
      docker(['create', '--name', name, '--label', `bulkhead.test=${RUN}`, TEST_IMAGE, 'sleep', '600']);
      await sleep(2500);
      assert.equal(flatten((await state()).tree).some((n) => n.label.startsWith(`${name} (`)), false, 'no updates while hidden');
      await vscode.commands.executeCommand('workbench.view.extension.bulkhead');
      await containerNode(name, 15_000);
    } finally {
      spawnSync(DOCKER_CLI, ['rm', '-f', name]);
      await vscode.commands.executeCommand('bulkhead.containers.focus');
    }
  });

  test('Audit Container shows a readable report; Inspect shows raw JSON; Copy gives a hardened docker run', async () => {
    const reportUri = await vscode.commands.executeCommand<vscode.Uri>('bulkhead.auditContainer', nameOf('capadmin'));
    assert.ok(reportUri, 'a report was opened');
    const report = await vscode.workspace.openTextDocument(reportUri);
    assert.match(report.getText(), /^# Hardening report: /);
    assert.match(report.getText(), /`cap-add`/);
    assert.match(report.getText(), /Capabilities \(live, effective\) \| .*SYS\\_ADMIN/);
    await vscode.commands.executeCommand('notifications.clearAll');
    // The preview's body is a webview (an iframe the window text does not include): wait for its tab.
    await shown(`Preview ${nameOf('capadmin')}.md`);
    await screenshot('containers-report');

    const inspectUri = await vscode.commands.executeCommand<vscode.Uri>('bulkhead.containers.inspect', nameOf('privileged'));
    const inspect = JSON.parse((await vscode.workspace.openTextDocument(inspectUri)).getText()) as { Name: string; HostConfig: { Privileged: boolean } };
    assert.equal(inspect.Name, `/${nameOf('privileged')}`);
    assert.equal(inspect.HostConfig.Privileged, true);

    const command = await vscode.commands.executeCommand<string>('bulkhead.containers.copyRunCommand', nameOf('privileged'));
    assert.equal(await vscode.env.clipboard.readText(), command);
    assert.match(command, /^docker run -d --name \S+ --user 65534:65534 --cap-drop ALL /m);
    assert.doesNotMatch(command, /--privileged|\/:\/host/);
    const service = await vscode.commands.executeCommand<string>('bulkhead.containers.copyComposeService', nameOf('socket'));
    assert.match(service, /cap_drop:\n\s+- ALL/);
    const yamlOnly = service.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    assert.doesNotMatch(yamlOnly, /docker\.sock|volumes:/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('a compose project is a group, and Open Compose File puts the cursor on the service', async function () {
    this.timeout(120_000);
    const dir = mkdtempSync('/tmp/bhc-');
    const project = `${RUN}proj`;
    const file = join(dir, 'compose.yml');
    writeFileSync(file, `version: "2.4"\nservices:\n  db:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "600"]\n  api:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "600"]\n    cap_add: [NET_ADMIN]\n`);
    const compose = (...args: string[]) => spawnSync('/usr/bin/docker-compose', ['-p', project, '-f', file, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    try {
      const up = compose('up', '-d');
      assert.equal(up.status, 0, up.stderr);
      const group = await waitFor('the compose group', async () => (await state()).tree.find((n) => n.kind === 'project' && n.label === project));
      assert.match(group.description ?? '', /^compose · 2 container\(s\)/);
      const api = group.children?.find((c) => c.label.startsWith(`${project}_api_1 (`));
      assert.ok(api?.children?.some((f) => f.description === 'cap-add'), JSON.stringify(group.children));
      await vscode.commands.executeCommand('bulkhead.containers.openCompose', `${project}_api_1`);
      const editor = await waitFor('the compose file editor', () => (vscode.window.activeTextEditor?.document.uri.fsPath === file ? vscode.window.activeTextEditor : undefined));
      assert.equal(editor.selection.active.line, 5);
      assert.equal(editor.document.lineAt(5).text, '  api:');
      await vscode.commands.executeCommand('notifications.clearAll');
      await shown('api:');
      await screenshot('containers-compose-service');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      compose('down', '-t', '0');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('with one engine and none answering, the welcome view explains it with Retry; the tree returns after', async () => {
    const saved = process.env.DOCKER_HOST;
    // The engine the docker CLI would use comes from DOCKER_HOST, read again on Refresh.
    process.env.DOCKER_HOST = 'unix:///tmp/bulkhead-no-engine-here.sock';
    try {
      await vscode.commands.executeCommand('bulkhead.refresh');
      const s = await waitFor('the welcome state', async () => ((await state()).welcomeProblem ? state() : undefined));
      assert.equal(s.welcomeProblem, 'notRunning');
      assert.deepEqual(s.tree, []);
      assert.equal(s.message, undefined, 'a message would hide the welcome content');
      assert.equal(s.description, 'unix:///tmp/bulkhead-no-engine-here.sock');
      await vscode.commands.executeCommand('notifications.clearAll');
      await shown('No Docker engine is running');
      await screenshot('containers-welcome-not-running');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      await vscode.commands.executeCommand('bulkhead.refresh');
    }
    await containerNode(nameOf('capadmin'));
    assert.equal((await state()).welcomeProblem, undefined);
    assert.equal((await state()).description, undefined);
  });

  test('an engine that stops shows the error state, and the tree recovers when it starts again', async function () {
    this.timeout(180_000);
    const engine = new IsolatedEngine();
    const config = vscode.workspace.getConfiguration('bulkhead');
    try {
      await engine.start();
      await config.update('engines', [`unix://${engine.socket}`], vscode.ConfigurationTarget.Global);
      const isolated = async () => (await state()).engines.find((e) => e.host === `unix://${engine.socket}`);
      await waitFor('the isolated engine ready', async () => (await isolated())?.status === 'ready' || undefined, 30_000);
      const roots = (await state()).tree;
      assert.equal(roots.length, 2, 'one root per engine');
      assert.ok(roots.every((r) => r.kind === 'engine'));

      await engine.stop();
      const down = await waitFor('the error state', async () => ((await isolated())?.status === 'problem' ? isolated() : undefined), 30_000);
      assert.equal(down.problem?.kind, 'notRunning');
      const s = await state();
      const problemNode = flatten(s.tree).find((n) => n.kind === 'problem');
      assert.equal(problemNode?.label, 'Docker engine not running');
      assert.match(s.message ?? '', /No Docker engine answers at unix:.*docker\.sock.*Start the engine/s);
      await vscode.commands.executeCommand('notifications.clearAll');
      // The problem row may sit below the visible part of a long tree: the state above is the check.
      await screenshot('containers-engine-down');

      await engine.start();
      await waitFor('recovery without reloading', async () => (await isolated())?.status === 'ready' || undefined, 30_000);
      // The view follows its watchers' snapshots (batched), so wait for it rather than race it.
      await waitFor('the problem node to go', async () => !flatten((await state()).tree).some((n) => n.kind === 'problem') || undefined);
      await waitFor('the view message to clear', async () => (await state()).message === undefined || undefined);
      await screenshot('containers-engine-recovered');
    } finally {
      await config.update('engines', undefined, vscode.ConfigurationTarget.Global);
      await engine.dispose();
    }
  });
});
