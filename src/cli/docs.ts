import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../engine/registry';
import { renderRuleDoc, renderRuleIndex } from '../engine/docs';
import { parseArgs } from './args';
import type { Io } from './io';
import { writeFileAtomic } from '../workspace/atomicWrite';

/** `bulkhead docs [--out DIR] [--check]`: writes docs/rules/<id>.md, or checks they are current. */
export function runDocs(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['out'], ['check']);
  const out = (args.options.get('out') as string | undefined) ?? 'docs/rules';
  const wanted = new Map<string, string>();
  for (const rule of allRules()) wanted.set(`${rule.meta.id}.md`, renderRuleDoc(rule.meta));
  wanted.set('README.md', renderRuleIndex(allRules().map((r) => r.meta)));
  if (args.options.has('check')) {
    const stale: string[] = [];
    for (const [name, body] of wanted) {
      let current = '';
      try {
        current = readFileSync(join(out, name), 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (current !== body) stale.push(name);
    }
    let extra: string[] = [];
    try {
      extra = readdirSync(out).filter((n) => n.endsWith('.md') && !wanted.has(n));
    } catch {
      /* no folder yet */
    }
    if (stale.length || extra.length) {
      io.err(`rule docs out of date in ${out}: ${[...stale, ...extra].join(', ')}; run \`npm run docs\`\n`);
      return 1;
    }
    return 0;
  }
  mkdirSync(out, { recursive: true });
  for (const n of readdirSync(out)) if (n.endsWith('.md') && !wanted.has(n)) rmSync(join(out, n));
  for (const [name, body] of wanted) writeFileAtomic(join(out, name), body);
  io.err(`wrote ${wanted.size} file(s) to ${out}\n`);
  return 0;
}
