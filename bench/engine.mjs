// Loads engine modules for a benchmark: the TypeScript sources bundled by esbuild with their
// dependencies left external, so Bulkhead and its peers use the very same parser modules.
import * as esbuild from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** Bundles `exportsSource` (an ES export list, e.g. "export { lintText } from './src/engine/lint';") and returns the file. */
export async function bundleEngine(name, exportsSource) {
  const outDir = join('node_modules', '.cache', 'bulkhead-bench');
  mkdirSync(outDir, { recursive: true });
  const entry = join(process.cwd(), outDir, `${name}-engine.cjs`);
  await esbuild.build({
    stdin: { contents: exportsSource, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile: entry,
    logLevel: 'warning',
  });
  return entry;
}

/** The bundled modules, loaded in this process. */
export async function loadEngine(name, exportsSource) {
  return require(await bundleEngine(name, exportsSource));
}
