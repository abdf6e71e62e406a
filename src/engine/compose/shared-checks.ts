import { isMap, type Scalar } from 'yaml';
import type { Report } from '../rule';
import type { ComposeContext } from './context';
import { fix, listEntries, portEntries, svc } from './checks';
import { replaceNodeEdit } from './edit';
import { isInterpolated, mapEntries, rangeOf, scalarString } from './values';
import { credentialIn, includesSshPort } from '../runtime/judge';

// The compose side of the concerns whose rule modules are shared with Dockerfiles
// (secret-in-env, ssh-port).

export function composeSecretInEnv(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const field = s.get('environment');
    if (!field) continue;
    const editable = !field.shared && !field.valueShared;
    const report = (name: string, value: string, node: unknown, replacement: string) => {
      if (isInterpolated(value)) return;
      const kind = credentialIn(name, value);
      if (!kind) return;
      reports.push({
        message: kind === 'connection-string' ? `${svc(s)}: ${name} holds a connection string with an inline password (value not shown)` : `${svc(s)}: ${name} holds a literal secret (value not shown)`,
        range: rangeOf(node),
        // The value must then come from the shell or an .env file kept out of version control.
        fixes: fix(`Read ${name} from the environment (\${${name}})`, false, editable ? [replaceNodeEdit(node, replacement)] : undefined),
      });
    };
    if (isMap(field.value)) {
      for (const e of mapEntries(ctx, field.value)) {
        const value = scalarString(e.node);
        if (value !== undefined && e.pair.value === e.node) report(e.key, value, e.node, JSON.stringify(`\${${e.key}}`));
      }
    } else {
      for (const e of listEntries(ctx, field)) {
        if (e.text === undefined || e.written !== e.node) continue;
        const eq = e.text.indexOf('=');
        if (eq <= 0) continue;
        const name = e.text.slice(0, eq).trim();
        report(name, e.text.slice(eq + 1), e.node, (e.node as Scalar).type === 'PLAIN' ? name : JSON.stringify(name));
      }
    }
  }
  return reports;
}

export function composeSshPort(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    for (const p of portEntries(ctx, s)) {
      if (p.protocol !== 'tcp' || !includesSshPort(p.containerPort)) continue;
      reports.push({
        message: `${svc(s)} publishes container port 22 (SSH): containers should not run an SSH daemon`,
        range: p.range,
        fixes: [],
      });
    }
  }
  return reports;
}
