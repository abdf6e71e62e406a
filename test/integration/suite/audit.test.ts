import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { screenshot, waitFor } from '../support';

const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const HTML_LABEL = '<img src=x onerror=alert(1)>';

interface ViewState {
  state: string;
  report?: { checks: { id: string; status: string; containers?: { name: string }[] }[]; summary: { total: number; apiCalls: number } };
  rendered?: { shown: number; text: string; images: number; scripts: number; elements: boolean };
}
const viewState = () => vscode.commands.executeCommand<ViewState | undefined>('bulkhead.audit.viewState');

suite('host audit', () => {
  const name = `bulkhead-it-audit-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const out = mkdtempSync(join(tmpdir(), 'bulkhead-audit-export-'));

  suiteSetup(() => {
    // A created (never started) privileged container whose label holds HTML.
    execFileSync(DOCKER, ['create', '--name', name, '--privileged', '--label', `note=${HTML_LABEL}`, 'local/busybox:test', 'sleep', '60']);
  });
  suiteTeardown(() => {
    try {
      execFileSync(DOCKER, ['rm', '-f', name]);
    } catch {
      // already gone
    }
    rmSync(out, { recursive: true, force: true });
  });

  test('Audit Docker Host opens the webview, renders the results, and shows an HTML label as inert text', async () => {
    await vscode.commands.executeCommand('bulkhead.auditHost');
    const done = await waitFor('the audit to finish and render', async () => {
      const s = await viewState();
      return s?.state === 'done' && s.rendered?.elements && s.rendered.shown > 0 && s.rendered.text.includes(name) ? s : undefined;
    }, 60_000);
    assert.ok(done.report!.summary.total >= 117);
    const priv = done.report!.checks.find((c) => c.id === '5.5')!;
    assert.equal(priv.status, 'warn');
    assert.ok(priv.containers?.some((c) => c.name === name), '5.5 names the created privileged container');
    // The label reached the page as text, and no element was made from it.
    assert.ok(done.rendered!.text.includes(`note=${HTML_LABEL}`), 'the label is shown literally');
    assert.equal(done.rendered!.images, 0, 'no <img> element exists in the webview');
    await screenshot('host-audit-webview');

    // Filter to warnings and search for the container: only the checks naming it remain.
    await vscode.commands.executeCommand('bulkhead.audit.setView', { filter: 'warn', search: name });
    const filtered = await waitFor('the filtered view', async () => {
      const s = await viewState();
      return s?.rendered && s.rendered.shown < done.rendered!.shown ? s : undefined;
    });
    const expected = done.report!.checks.filter((c) => c.status === 'warn' && c.containers?.some((x) => x.name === name)).length;
    assert.equal(filtered.rendered!.shown, expected);
    assert.ok(filtered.rendered!.text.includes(`note=${HTML_LABEL}`));
    assert.equal(filtered.rendered!.images, 0);
    await screenshot('host-audit-filtered-html-label');
    await vscode.commands.executeCommand('bulkhead.audit.setView', { filter: 'all', search: '' });
  });

  test('Export writes HTML with Docker strings escaped, and JSON in the documented shape', async () => {
    const html = vscode.Uri.file(join(out, 'audit.html'));
    await vscode.commands.executeCommand('bulkhead.audit.export', 'html', html);
    const text = readFileSync(html.fsPath, 'utf8');
    assert.ok(text.includes('CIS Docker Benchmark'));
    assert.ok(!text.includes('<img'), 'no raw HTML from Docker in the export');
    const json = vscode.Uri.file(join(out, 'audit.json'));
    await vscode.commands.executeCommand('bulkhead.audit.export', 'json', json);
    const parsed = JSON.parse(readFileSync(json.fsPath, 'utf8')) as { checks: Record<string, unknown>[]; summary: { counts: object } };
    for (const k of ['id', 'title', 'section', 'level', 'scored', 'status', 'evidence', 'remediation', 'refs']) assert.ok(k in parsed.checks[0], k);
  });

  test('an unreachable engine gives a clear message in the panel, not a crash', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///tmp/bulkhead-no-such-engine.sock';
    try {
      await vscode.commands.executeCommand('bulkhead.auditHost');
      const failed = await waitFor('the audit to fail', async () => {
        const s = await viewState();
        return s?.state === 'error' ? s : undefined;
      }, 30_000);
      assert.ok(failed.report, 'the previous report stays visible');
      await screenshot('host-audit-unreachable');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
