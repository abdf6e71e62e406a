import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DOCKER_CLI, TEST_IMAGE, docker } from '../../support/docker';
import { screenshot, waitFor } from '../support';
import { validateSeccompProfile } from '../../../src/engine/profile/seccomp';
import type { ProfileCommandResult } from '../../../src/extension/profile/register';

const COMPOSE_CLI = existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : 'docker-compose';
const workspaceRoot = () => vscode.workspace.workspaceFolders![0].uri.fsPath;


// Run from the compose file's directory: Compose v2 resolves `seccomp=./x.json` against the project
// directory (docker/compose#8669), docker-compose v1 against the working directory (#8470).
function compose(file: string, project: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(COMPOSE_CLI, ['-f', file, '-p', project, ...args], { encoding: 'utf8', timeout: 120_000, cwd: dirname(file) });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function seccompDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => typeof d.code === 'object' && d.code.value === 'seccomp-profile-invalid');
}

suite('profile container', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
  });

  test('Profile Container… observes a compose service, writes the profile, wires it in, and compose starts it', async function () {
    this.timeout(120_000);
    const project = `bhprof${Math.random().toString(36).slice(2, 6)}`;
    const dir = join(workspaceRoot(), 'profile-demo');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'compose.yaml');
    const original = [
        'services:',
        '  app:',
        `    image: ${TEST_IMAGE}`,
        '    # writes a file, hands it to uid 1000, runs id: needs CHOWN and nothing else',
        '    command: ["sh", "-c", "while true; do rm -f /tmp/out; id > /tmp/out; chown 1000:1000 /tmp/out; sleep 0.3; done"]',
        '',
      ].join('\n');
    writeFileSync(file, original);
    try {
      const up = compose(file, project, ['up', '-d']);
      assert.equal(up.status, 0, up.output);
      const id = compose(file, project, ['ps', '-q', 'app']).output.trim().split('\n')[0];
      assert.match(id, /^[0-9a-f]{12,}$/);

      // A tree node's shape (`{ id: "<engine>/container/<id>" }`) is accepted like a plain id.
      const result = await vscode.commands.executeCommand<ProfileCommandResult>('bulkhead.profileContainer', { id: `local/container/${id}`, seconds: 3, then: 'compose' });
      assert.ok(result, 'the command returned a result');
      assert.deepEqual(result.capAdd, ['CHOWN']);
      assert.equal(result.verification?.verified, true, 'verified by starting the image under it before writing');
      assert.ok(result.allowed.includes('chown') && result.allowed.includes('execve') && !result.allowed.includes('mount'), result.allowed.join(','));
      const profilePath = vscode.Uri.parse(result.profileUri).fsPath;
      assert.deepEqual(validateSeccompProfile(readFileSync(profilePath, 'utf8')).problems, []);
      assert.equal(result.composeFile, file);

      const doc = await vscode.workspace.openTextDocument(file);
      const expectedPath = `../profiles/${profilePath.split('/').pop()}`;
      assert.ok(doc.getText().includes(`security_opt: ["seccomp=${expectedPath}"]`), doc.getText());
      assert.ok(doc.getText().includes('cap_drop: ["ALL"]') && doc.getText().includes('cap_add: ["CHOWN"]'), doc.getText());
      assert.ok(doc.getText().includes('# writes a file'), 'comments kept');
      await doc.save();
      await screenshot('profile-wired-into-compose');

      // The wired file really starts: docker-compose reads the profile; the engine applies it.
      const recreate = compose(file, project, ['up', '-d', '--force-recreate']);
      assert.equal(recreate.status, 0, recreate.output);
      const newId = compose(file, project, ['ps', '-q', 'app']).output.trim().split('\n')[0];
      await waitFor('the recreated container to run', () => docker(['inspect', '-f', '{{.State.Running}}', newId]).trim() === 'true');
      const pid = Number(docker(['inspect', '-f', '{{.State.Pid}}', newId]).trim());
      assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Seccomp:\s+2$/m);
      assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^CapEff:\s+0000000000000001$/m);

      // The diagnostic: point the service at a profile that is not there.
      const editor = await vscode.window.showTextDocument(doc);
      const at = doc.getText().indexOf(expectedPath);
      await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + expectedPath.length)), '../profiles/missing.json'));
      const diag = await waitFor('seccomp-profile-invalid diagnostic', () => seccompDiagnostics(doc.uri)[0]);
      assert.match(diag.message, /missing\.json does not exist/);
      await screenshot('profile-missing-diagnostic');
      await vscode.commands.executeCommand('workbench.action.files.revert');

      // The same wiring as a code action on the service, from the saved profile and capabilities.
      writeFileSync(file, original);
      const fresh = await vscode.workspace.openTextDocument(file);
      await waitFor('document reloaded', () => (fresh.getText() === original ? true : undefined));
      const serviceLine = fresh.positionAt(original.indexOf('  app:') + 2);
      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', fresh.uri, new vscode.Range(serviceLine, serviceLine))) ?? [];
      const harden = actions.find((a) => a.title.startsWith('Harden service "app" with observed profile'));
      assert.ok(harden?.edit, actions.map((a) => a.title).join(' | '));
      assert.match(harden.title, /cap_add CHOWN/);
      assert.ok(await vscode.workspace.applyEdit(harden.edit));
      assert.ok(fresh.getText().includes(`security_opt: ["seccomp=${expectedPath}"]`) && fresh.getText().includes('cap_add: ["CHOWN"]'), fresh.getText());
      await screenshot('profile-code-action-applied');
    } finally {
      compose(file, project, ['down', '-t', '0']);
    }
  });

  test('a profile that cannot start the image is not written unless the user says "Write anyway"', async function () {
    this.timeout(120_000);
    // Start-up work (mkdir) the observation, attached later, never sees: the profile lacks it.
    const name = `bhprofverify${Math.random().toString(36).slice(2, 6)}`;
    docker(['run', '-d', '-i', '--name', name, TEST_IMAGE, 'sh', '-c', 'mkdir /tmp/work || exit 3; while true; do read -t 1 line; done']);
    const profileFile = join(workspaceRoot(), 'profiles', `${name}.json`);
    try {
      const refused = await vscode.commands.executeCommand<ProfileCommandResult>('bulkhead.profileContainer', { id: name, seconds: 2, then: 'none' });
      assert.equal(refused, undefined);
      assert.ok(!existsSync(profileFile), 'nothing written');
      const written = await vscode.commands.executeCommand<ProfileCommandResult>('bulkhead.profileContainer', { id: name, seconds: 2, then: 'none', ifUnverified: 'write' });
      assert.ok(written, 'written when the user chose "Write anyway"');
      assert.equal(written.verification?.verified, false);
      assert.match(written.verification?.problems.join(' ') ?? '', /stopped \(exit code 3\) where the original kept running/);
      assert.ok(existsSync(profileFile));
      const left = docker(['ps', '-a', '-q', '--filter', `label=io.bulkhead.profile-verify=${written.verification?.trialId}`]).trim();
      assert.equal(left, '', 'the trial containers are removed');
    } finally {
      spawnSync(DOCKER_CLI, ['rm', '-f', name], { timeout: 60_000 });
    }
  });

  test('a container that does not exist is a message, not a crash', async () => {
    const result = await vscode.commands.executeCommand('bulkhead.profileContainer', { id: 'bulkhead-no-such-container', seconds: 1, then: 'none' });
    assert.equal(result, undefined);
    // And no stray container name was created by the attempt.
    assert.equal(spawnSync(DOCKER_CLI, ['inspect', 'bulkhead-no-such-container']).status, 1);
  });
});
