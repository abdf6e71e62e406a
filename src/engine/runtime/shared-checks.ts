import type { Report } from '../rule';
import type { ContainerContext } from './container';
import { containerPorts } from './container';
import { credentialIn, includesSshPort } from './judge';

// The container side of the concerns whose rule modules are shared with Dockerfiles.

export function containerSecretInEnv(ctx: ContainerContext): Report[] {
  const reports: Report[] = [];
  for (const entry of ctx.inspect.Config?.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    const kind = credentialIn(name, entry.slice(eq + 1));
    if (!kind) continue;
    reports.push({
      message: kind === 'connection-string' ? `environment ${name} holds a connection string with an inline password` : `environment ${name} holds a secret in plain text`,
      // Never the value: inspect output is readable by anyone with API access, the report may be shared.
      evidence: `Config.Env has ${name}=<hidden>`,
    });
  }
  return reports;
}

export function containerSshPort(ctx: ContainerContext): Report[] {
  const published = containerPorts(ctx.inspect).filter((p) => p.protocol === 'tcp' && includesSshPort(p.containerPort));
  if (published.length) return [{ message: 'publishes port 22 (SSH)', evidence: `HostConfig.PortBindings["22/tcp"] -> ${published.map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}`).join(', ')}` }];
  const exposed = Object.keys(ctx.inspect.Config?.ExposedPorts ?? {}).some((k) => k === '22/tcp');
  return exposed ? [{ message: 'exposes port 22 (SSH)', evidence: 'Config.ExposedPorts has "22/tcp"', severity: 'info' }] : [];
}
