// Installs the packaged VSIX — and nothing else — into a fresh code-server, then does what a new
// user does: opens examples/, finds the walkthrough through the Command Palette, opens a
// Dockerfile and sees Bulkhead's diagnostics. Screenshots go to test-output/screenshots/vsix-*.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, ROOT, ensureCodeServer, freePort, startCodeServer } from './vscode-host.mjs';

const SHOTS = join(ROOT, 'test-output', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'bulkhead-vsix-'));
const vsix = join(scratch, 'bulkhead.vsix');
const failures = [];
let passed = 0;
const check = (name, ok, detail = '') => {
  if (ok) passed++;
  else failures.push(`${name}${detail ? `: ${detail}` : ''}`);
  console.log(`  ${ok ? '✔' : '✘'} ${name}`);
};

execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--out', vsix], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`vsix: ${(statSync(vsix).size / 1024).toFixed(0)} KiB`);
const bin = ensureCodeServer();
const extensionsDir = join(scratch, 'extensions');
execFileSync(bin, ['--extensions-dir', extensionsDir, '--install-extension', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });

const port = await freePort();
const workspace = join(ROOT, 'examples');
const server = await startCodeServer({ bin, port, workspace, userDataDir: join(scratch, 'user-data'), extensionsDir });
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
/** Polls `probe` until it returns something truthy (then returns it) or the time runs out (then returns the last value). */
const until = async (probe, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 180_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The extension's contributions are in once its activity bar entry shows.
  await page.locator('.activitybar [aria-label^="Bulkhead"]').first().waitFor({ timeout: 60_000 });
  const row = (text) => page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  /** Opens the Command Palette, types `text` and waits until a row with `expected` is listed. */
  const palette = async (text, expected) => {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
    await page.keyboard.type(text);
    await row(expected).waitFor({ timeout: 15_000 }).catch(() => {});
  };

  await palette('Welcome: Open Walkthrough', 'Welcome: Open Walkthrough');
  await page.keyboard.press('Enter');
  const listed = await row('Harden your containers with Bulkhead').waitFor({ timeout: 15_000 }).then(() => true, () => false);
  const picks = await page.locator('.quick-input-widget').innerText().catch(() => '');
  check('the walkthrough is listed', listed, picks.slice(0, 300));
  await row('Harden your containers with Bulkhead').click().catch(() => {});
  const walkthrough = await until(async () => {
    const text = await page.locator('.gettingStartedContainer').innerText();
    return /Audit your workspace/.test(text) && /Apply a quick fix/.test(text) && text;
  });
  check('the walkthrough shows its steps', !!walkthrough);
  await page.screenshot({ path: join(SHOTS, 'vsix-walkthrough.png') });

  await palette('Bulkhead: Audit Workspace Files', 'Bulkhead: Audit Workspace Files');
  const commands = await page.locator('.quick-input-widget').innerText().catch(() => '');
  check('Bulkhead commands are in the palette', commands.includes('Bulkhead: Audit Workspace Files'));
  await page.keyboard.press('Enter');
  let status = '';
  const problems = await until(async () => {
    status = await page.locator('.statusbar').innerText();
    const m = /(\d+)\s*\n?\s*(\d+)/.exec(status.replace(/[^\d\s]/g, ' '));
    return m && Number(m[1]) + Number(m[2]) > 0 && m;
  });
  check('the audit put problems in the status bar', !!problems, status.slice(0, 120));
  // The walkthrough step completes on the real command (completionEvents: onCommand:…).
  const step = (text) => page.locator('.getting-started-step', { hasText: text }).first().getAttribute('aria-checked');
  const checked = await until(async () => (await step('Audit your workspace')) === 'true');
  check('running the audit ticks its walkthrough step', !!checked, `aria-checked=${await step('Audit your workspace').catch(() => null)}`);
  const quickFixStep = await step('Apply a quick fix').catch(() => null);
  check('steps not done yet stay unticked', quickFixStep === 'false', `aria-checked=${quickFixStep}`);
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel').first().waitFor({ timeout: 15_000 }).catch(() => {});
  await page.screenshot({ path: join(SHOTS, 'vsix-audit.png') });

  // What the README shows: a Dockerfile, its problems, and the quick fixes on the first one.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
  await page.keyboard.type('node-app/Dockerfile');
  await row('Dockerfile').waitFor({ timeout: 15_000 }).catch(() => {});
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-lines', { hasText: 'FROM' }).first().waitFor({ timeout: 20_000 }).catch(() => {});
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  // F8 goes to the first problem once the diagnostics are there.
  await until(async () => {
    await page.keyboard.press('F8');
    return page.locator('.marker-widget').first().isVisible();
  });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+.');
  const menu = await until(async () => {
    const text = await page.locator('.action-widget').innerText();
    return /Show documentation/.test(text) && text;
  });
  check('the quick-fix menu offers Bulkhead fixes', !!menu && /Ignore .* for this line/.test(menu) && /Show documentation/.test(menu), String(menu).slice(0, 300));
  await page.screenshot({ path: join(SHOTS, 'vsix-editor.png') });
  if (process.env.BULKHEAD_DOCS_IMAGES) {
    mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'docs', 'images', 'editor.png') });
  }
} finally {
  await browser.close().catch(() => {});
  server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
for (const f of failures) console.error(`FAILED: ${f}`);
console.log(`vsix-smoke: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
