import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { log, screenshot, sleep, waitFor, windowText } from '../support';

interface Summary {
  files: number;
  filesWithFindings: number;
  bySeverity: { error: number; warning: number; info: number };
  cancelled: boolean;
  millis: number;
}

/** Mirrors test/fixtures/generate-workspace.mjs, which the harness ran before VS Code opened. */
const DOCKERFILE = (i: number) => `# generated service ${i}\nFROM busybox:1.36\nMAINTAINER Team ${i} <team${i}@example.com>\nCMD ["sh", "-c", "sleep ${i}"]\n`;
const SKIPPED = ['ignored/Dockerfile', 'legacy/Dockerfile', 'node_modules/pkg/Dockerfile'];

/** Dockerfiles and compose files on disk, minus what .gitignore, .bulkhead.yaml and node_modules hide. */
function countLintable(dir: string, rel = ''): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!['node_modules', '.git', 'ignored', 'legacy', 'skipped'].includes(entry.name)) n += countLintable(path.join(dir, entry.name), relPath);
    } else if (/^(Dockerfile(\..+)?|Containerfile(\..+)?|.+\.[Dd]ockerfile|(docker-)?compose.*\.ya?ml)$/.test(entry.name)) n++;
  }
  return n;
}

suite('workspace audit', () => {
  let root: string;
  const generated: string[] = [];

  suiteSetup(async function () {
    await vscode.extensions.getExtension('bulkhead.bulkhead')!.activate();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    for (let i = 0; i < 1500; i++) generated.push(path.join(root, 'gen', `svc${Math.floor(i / 50)}`, `app${i}`, 'Dockerfile'));
    for (let i = 0; i < 500; i++) generated.push(path.join(root, 'gen', `stack${i}`, 'compose.yaml'));
    assert.ok(existsSync(generated[1999]), 'the harness generated the large workspace');
  });

  test('"Fix all safe problems" works in a fresh window, before any audit, and undo restores the files', async function () {
    this.timeout(600_000);
    const sample = [generated[3], generated[1601]];
    const before = sample.map((f) => readFileSync(f, 'utf8'));
    const result = await vscode.commands.executeCommand<{ files: number; fixes: number }>('bulkhead.fixWorkspace', { confirm: false });
    assert.ok(result.files >= 1500, `fixed ${result.files} files without an audit first`);
    assert.doesNotMatch(readFileSync(sample[0], 'utf8'), /^MAINTAINER/m);
    const undone = await vscode.commands.executeCommand<{ restored: number; skipped: string[] }>('bulkhead.undoWorkspaceFix');
    assert.deepEqual(undone.skipped, []);
    assert.equal(undone.restored, result.files);
    assert.deepEqual(sample.map((f) => readFileSync(f, 'utf8')), before);
  });

  test('audits every Dockerfile and compose file into the Problems panel, skipping ignored ones', async function () {
    this.timeout(300_000);
    const summary = await vscode.commands.executeCommand<Summary>('bulkhead.auditWorkspace');
    const toast = `Bulkhead audited ${summary.files} file(s)`;
    // Without a harness (test-electron) there is no window text to wait for.
    const shown = await waitFor('the summary toast', async () => {
      const text = await windowText('.notifications-toasts');
      return (text === undefined || text.includes(toast)) && { text };
    }).then((r) => r.text, () => windowText('.notifications-toasts'));
    await screenshot('workspace-audit-summary');
    if (shown !== undefined) assert.ok(shown.includes(toast), shown);
    log(`workspace audit: ${summary.files} files in ${summary.millis} ms (${Math.round((summary.files / summary.millis) * 1000)} files/s)`);
    // Other suites add files to the shared workspace: count what is there with a plain walk.
    assert.equal(summary.files, countLintable(root));
    assert.ok(summary.files >= generated.length + 2);
    assert.equal(summary.cancelled, false);
    assert.ok(summary.bySeverity.error >= 500, 'each generated compose file has a privileged error');

    const unopened = vscode.Uri.file(generated[1234]);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === unopened.fsPath), 'the file is not open');
    const codes = vscode.languages.getDiagnostics(unopened).map((d) => (d.code as { value: string }).value);
    assert.ok(codes.includes('maintainer-deprecated'), codes.join(', '));
    for (const skipped of SKIPPED) {
      assert.deepEqual(vscode.languages.getDiagnostics(vscode.Uri.file(path.join(root, skipped))), [], `${skipped} is skipped`);
    }
  });

  test('the CLI and the extension read .bulkhead.yaml identically: same findings on the same folder', () => {
    const team = path.join(root, 'team');
    const cli = path.join(vscode.extensions.getExtension('bulkhead.bulkhead')!.extensionPath, 'dist', 'cli.js');
    let out: string;
    try {
      // Argument array, no shell; ELECTRON_RUN_AS_NODE makes an Electron host's binary act as node.
      out = execFileSync(process.execPath, [cli, 'lint', '--format', 'json', team], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    } catch (e) {
      out = (e as { stdout: string }).stdout; // exit 1: findings at or above warning
    }
    const fromCli = (JSON.parse(out) as { findings: { file: string; line: number; ruleId: string; severity: string }[] }).findings
      .map((f) => `${path.relative(team, path.resolve(f.file))}:${f.line} ${f.ruleId} ${f.severity}`)
      .sort();
    const severity = ['error', 'warning', 'info', 'hint'];
    const fromEditor = ['Dockerfile', 'compose.yaml', 'skipped/Dockerfile']
      .flatMap((rel) =>
        vscode.languages
          .getDiagnostics(vscode.Uri.file(path.join(team, rel)))
          .filter((d) => d.source === 'bulkhead')
          .map((d) => `${rel}:${d.range.start.line + 1} ${(d.code as { value: string }).value} ${severity[d.severity]}`),
      )
      .sort();
    log(`team folder: ${fromCli.length} findings from the CLI, ${fromEditor.length} in the editor`);
    assert.ok(fromCli.length >= 3, fromCli.join('\n'));
    assert.deepEqual(fromEditor, fromCli);
    assert.ok(fromCli.some((f) => /^compose\.yaml:\d+ privileged info$/.test(f)), 'the team override applies');
    assert.ok(!fromCli.some((f) => f.includes('maintainer-deprecated')), 'the rule the team turned off is off');
    assert.ok(!fromCli.some((f) => f.startsWith('skipped/')), 'the team exclude applies');
  });

  test('a file changed on disk is re-linted by the watcher', async function () {
    this.timeout(60_000);
    const file = generated[7];
    writeFileSync(file, 'FROM busybox:1.36\nCMD ["sh"]\n');
    const uri = vscode.Uri.file(file);
    const deadline = Date.now() + 30_000;
    while (vscode.languages.getDiagnostics(uri).some((d) => (d.code as { value: string }).value === 'maintainer-deprecated')) {
      assert.ok(Date.now() < deadline, 'the watcher re-linted the changed file');
      await sleep(200);
    }
    writeFileSync(file, DOCKERFILE(7));
  });

  test('"Fix all safe problems" changes the files on disk, and undo restores them', async function () {
    this.timeout(600_000);
    const sample = [generated[0], generated[777], generated[1600]];
    const before = sample.map((f) => readFileSync(f, 'utf8'));
    let t = Date.now();
    const result = await vscode.commands.executeCommand<{ files: number; fixes: number }>('bulkhead.fixWorkspace', { confirm: false });
    log(`workspace fix: ${result.fixes} fixes in ${result.files} files in ${Date.now() - t} ms`);
    assert.ok(result.files >= 1500, `fixed ${result.files} files`);
    const after = sample.map((f) => readFileSync(f, 'utf8'));
    assert.match(after[0], /^LABEL org\.opencontainers\.image\.authors="Team 0 <team0@example\.com>"$/m);
    assert.match(after[2], /privileged: true/, 'an unsafe fix is not applied');
    assert.match(after[0], /^# generated service 0$/m, 'comments survive');
    t = Date.now();
    const undone = await vscode.commands.executeCommand<{ restored: number; skipped: string[] }>('bulkhead.undoWorkspaceFix');
    log(`workspace undo: ${undone.restored} files in ${Date.now() - t} ms`);
    assert.equal(undone.restored, result.files);
    assert.deepEqual(sample.map((f) => readFileSync(f, 'utf8')), before);
  });

  test('Preview shows every safe fix in one multi-file diff and writes nothing until Apply; Discard changes nothing', async function () {
    this.timeout(900_000);
    const file = generated[5];
    const before = readFileSync(file, 'utf8');
    const previewTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith('Bulkhead: safe fixes'));
    const review = async (decision: 'bulkhead.applyFixPreview' | 'bulkhead.discardFixPreview') => {
      let settled: { files: number; cancelled?: boolean } | undefined;
      void vscode.commands.executeCommand<{ files: number; cancelled?: boolean }>('bulkhead.fixWorkspace', { preview: true }).then((r) => (settled = r));
      const tab = await waitFor('the multi-file diff of the planned fixes', () => previewTab(), 300_000);
      assert.match(tab.label, /\((1[5-9]\d\d|2\d\d\d) files\)/, `every fixed file is in the preview: ${tab.label}`);
      await screenshot(`workspace-fix-preview-${decision}`);
      assert.equal(settled, undefined, 'the fix waits for the decision');
      assert.equal(readFileSync(file, 'utf8'), before, 'nothing is written before the decision');
      await vscode.commands.executeCommand(decision);
      const result = await waitFor('the fix to end', () => settled, 600_000);
      await waitFor('the preview to close', () => !previewTab());
      return result;
    };
    const discarded = await review('bulkhead.discardFixPreview');
    assert.equal(discarded.cancelled, true);
    assert.equal(readFileSync(file, 'utf8'), before);
    const applied = await review('bulkhead.applyFixPreview');
    assert.ok(!applied.cancelled && applied.files >= 1500, JSON.stringify(applied));
    assert.doesNotMatch(readFileSync(file, 'utf8'), /^MAINTAINER/m);
    const undone = await vscode.commands.executeCommand<{ restored: number }>('bulkhead.undoWorkspaceFix');
    assert.equal(undone.restored, applied.files);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('undo works when source.fixAll.bulkhead runs on save, and a file edited since the fix is left alone', async function () {
    this.timeout(600_000);
    const editor = vscode.workspace.getConfiguration('editor');
    await editor.update('codeActionsOnSave', { 'source.fixAll.bulkhead': 'explicit' }, vscode.ConfigurationTarget.Workspace);
    try {
      const opened = generated[11];
      const edited = generated[12];
      const before = [opened, edited].map((f) => readFileSync(f, 'utf8'));
      const doc = await vscode.workspace.openTextDocument(opened);
      await vscode.window.showTextDocument(doc);
      const result = await vscode.commands.executeCommand<{ files: number }>('bulkhead.fixWorkspace', { confirm: false });
      assert.ok(result.files >= 1500);
      assert.doesNotMatch(readFileSync(opened, 'utf8'), /^MAINTAINER/m);
      writeFileSync(edited, readFileSync(edited, 'utf8') + '# edited after the fix\n');
      const undone = await vscode.commands.executeCommand<{ restored: number; skipped: string[] }>('bulkhead.undoWorkspaceFix');
      assert.deepEqual(undone.skipped, ['gen/svc0/app12/Dockerfile'], 'the file edited since the fix is reported, not overwritten');
      assert.equal(undone.restored, result.files - 1);
      // Undo did not go through a save, so the fix-on-save did not re-apply what was undone.
      assert.equal(readFileSync(opened, 'utf8'), before[0]);
      await waitFor('the open editor to follow the restored file', () => doc.getText() === before[0]);
      assert.match(readFileSync(edited, 'utf8'), /# edited after the fix\n$/);
      writeFileSync(edited, before[1]);
    } finally {
      await editor.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
