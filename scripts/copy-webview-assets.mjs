// Copies the webview's third-party script (@vscode-elements/elements, bundled) into dist/webview/,
// which .vscodeignore ships, so the webview loads it from the extension's own files (no CDN).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const elements = join(dirname(require.resolve('@vscode-elements/elements/package.json')), 'dist', 'bundled.js');
mkdirSync('dist/webview', { recursive: true });
copyFileSync(elements, 'dist/webview/elements.js');
