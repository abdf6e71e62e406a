// `npm run bench`: every benchmark in this folder, one after the other (they share 2 cores).
// Each prints Bulkhead beside its peers measured in the same run.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
for (const file of readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  console.log(`\n== bench/${file}`);
  try {
    execFileSync(process.execPath, [`bench/${file}`], { stdio: 'inherit' });
  } catch {
    console.log(`bench/${file} failed (see above)`);
  }
}
