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
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await wait(4000);
  const palette = async (text) => {
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
    await page.keyboard.type(text);
    await wait(800);
  };

  await palette('Welcome: Open Walkthrough');
  await page.keyboard.press('Enter');
  await wait(1200);
  const picks = await page.locator('.quick-input-widget').innerText().catch(() => '');
  check('the walkthrough is listed', picks.includes('Harden your containers with Bulkhead'), picks.slice(0, 300));
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Harden your containers with Bulkhead' }).first().click().catch(() => {});
  await wait(2000);
  const walkthrough = await page.locator('.gettingStartedContainer').innerText().catch(() => '');
  check('the walkthrough shows its steps', /Audit your workspace/.test(walkthrough) && /Apply a quick fix/.test(walkthrough));
  await page.screenshot({ path: join(SHOTS, 'vsix-walkthrough.png') });

  await palette('Bulkhead: Audit Workspace Files');
  const commands = await page.locator('.quick-input-widget').innerText().catch(() => '');
  check('Bulkhead commands are in the palette', commands.includes('Bulkhead: Audit Workspace Files'));
  await page.keyboard.press('Enter');
  await wait(5000);
  const status = await page.locator('.statusbar').innerText().catch(() => '');
  const problems = /(\d+)\s*\n?\s*(\d+)/.exec(status.replace(/[^\d\s]/g, ' '));
  check('the audit put problems in the status bar', !!problems && Number(problems[1]) + Number(problems[2]) > 0, status.slice(0, 120));
  // The walkthrough step completes on the real command (completionEvents: onCommand:…).
  const checked = await page.locator('.getting-started-step', { hasText: 'Audit your workspace' }).first().getAttribute('aria-checked').catch(() => null);
  check('running the audit ticks its walkthrough step', checked === 'true', `aria-checked=${checked}`);
  const quickFixStep = await page.locator('.getting-started-step', { hasText: 'Apply a quick fix' }).first().getAttribute('aria-checked').catch(() => null);
  check('steps not done yet stay unticked', quickFixStep === 'false', `aria-checked=${quickFixStep}`);
  await page.keyboard.press('Control+Shift+M');
  await wait(1500);
  await page.screenshot({ path: join(SHOTS, 'vsix-audit.png') });

  // What the README shows: a Dockerfile, its problems, and the quick fixes on the first one.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
  await page.keyboard.type('node-app/Dockerfile');
  await wait(1000);
  await page.keyboard.press('Enter');
  await wait(2500);
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('F8');
  await wait(1200);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+.');
  await wait(1500);
  const menu = await page.locator('.action-widget').innerText().catch(() => '');
  check('the quick-fix menu offers Bulkhead fixes', /Ignore .* for this line/.test(menu) && /Show documentation/.test(menu), menu.slice(0, 300));
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
