import { isMap } from 'yaml';
import { defineRule, type Report } from '../rule';
import { svc } from '../compose/checks';
import type { ComposeContext } from '../compose/context';
import type { ComposeService } from '../compose/service';
import { insertServiceKeyEdit } from '../compose/edit';
import { isInterpolated, mapGet, scalarString } from '../compose/values';

type Resource = 'memory' | 'cpu' | 'pids';

/** Compose keys per resource: the service-level ones and `deploy.resources.limits.*`. */
const SERVICE_KEYS: Record<Resource, string[]> = {
  memory: ['mem_limit'],
  cpu: ['cpus', 'cpu_quota', 'cpu_shares', 'cpu_count', 'cpu_percent', 'cpuset'],
  pids: ['pids_limit'],
};
const DEPLOY_KEYS: Record<Resource, string> = { memory: 'memory', cpu: 'cpus', pids: 'pids' };

/** The keys the snippet inserts, with placeholders: any number is a guess the user must make. */
const SNIPPETS: Record<Resource, { key: string; snippet: string }> = {
  memory: { key: 'mem_limit', snippet: '${1:512m}' },
  cpu: { key: 'cpus', snippet: '"${2:1.0}"' },
  pids: { key: 'pids_limit', snippet: '${3:200}' },
};

/** A value that sets no limit: 0, -1 (pids), empty. */
function unlimited(value: string): boolean {
  return /^(?:0+(?:\.0*)?[a-z]*|-1|)$/i.test(value.trim());
}

/** Limited, not limited, or unknown (interpolated: compose decides at run time). */
function limitState(ctx: ComposeContext, s: ComposeService, resource: Resource): 'set' | 'missing' | 'unknown' {
  const values: string[] = [];
  for (const key of SERVICE_KEYS[resource]) {
    const v = scalarString(s.get(key)?.value);
    if (v !== undefined) values.push(v);
  }
  const limits = mapGet(ctx, mapGet(ctx, s.get('deploy')?.value, 'resources')?.node, 'limits')?.node;
  if (isMap(limits)) {
    const v = scalarString(mapGet(ctx, limits, DEPLOY_KEYS[resource])?.node);
    if (v !== undefined) values.push(v);
  }
  if (values.some(isInterpolated)) return 'unknown';
  return values.some((v) => !unlimited(v)) ? 'set' : 'missing';
}

const LABEL: Record<Resource, string> = { memory: 'memory', cpu: 'CPU', pids: 'PIDs' };

export default defineRule({
  meta: {
    id: 'resource-limits',
    title: 'No memory, CPU or PIDs limit',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      'Without limits one container (a leak, a fork bomb, an attacker mining) can take all memory, CPU or process slots of the host and starve every other container and the engine itself.',
    remediation:
      'Set `mem_limit`, `cpus` and `pids_limit` (or `deploy.resources.limits.memory/cpus/pids`); `--memory`, `--cpus`, `--pids-limit` for docker run.',
    refs: { cis: ['5.11', '5.12', '5.29'] },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      if (s.partial) continue;
      const missing = (['memory', 'cpu', 'pids'] as Resource[]).filter((r) => limitState(ctx, s, r) === 'missing');
      if (!missing.length) continue;
      const inserts = missing.map((r) => insertServiceKeyEdit(ctx, s, SNIPPETS[r].key, { scalar: SNIPPETS[r].snippet }));
      reports.push({
        message: `${svc(s)} has no ${missing.map((r) => LABEL[r]).join(', ')} limit`,
        range: s.range,
        // Any number is a guess (Kafka or GitLab need GiBs): a template to fill in, never applied unattended.
        fixes: [{ title: `Add ${missing.map((r) => SNIPPETS[r].key).join(', ')} (choose values: too low a limit kills or throttles the service)`, safe: false, preferred: true, edits: [], snippet: { at: inserts[0].start, body: inserts.map((e) => e.newText).join('') } }],
      });
    }
    return reports;
  },
  container(ctx) {
    const hc = ctx.inspect.HostConfig ?? {};
    const missing: string[] = [];
    const evidence: string[] = [];
    if (!hc.Memory) {
      missing.push('memory');
      evidence.push(`Memory=${hc.Memory ?? 0}`);
    }
    if (!hc.NanoCpus && !hc.CpuQuota && !hc.CpuShares) {
      missing.push('CPU');
      evidence.push(`NanoCpus=${hc.NanoCpus ?? 0} CpuQuota=${hc.CpuQuota ?? 0} CpuShares=${hc.CpuShares ?? 0}`);
    }
    if (!hc.PidsLimit || hc.PidsLimit < 0) {
      missing.push('PIDs');
      evidence.push(`PidsLimit=${hc.PidsLimit ?? null}`);
    }
    return missing.length ? [{ message: `has no ${missing.join(', ')} limit`, evidence: `HostConfig.${evidence.join(' ')}` }] : [];
  },
});
