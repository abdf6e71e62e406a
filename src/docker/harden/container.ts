import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { composeFileText, composeServiceFromInspect, dockerRunCommand, serviceNameOf, withoutSecretValues, type ComposeServiceObject } from '../../engine/harden/container';
import type { ContainerInspect } from '../../engine/runtime/container';
import { withTimeout } from '../connection';
import { locateComposeService } from '../compose-source';
import { composeLabels } from '../containers';
import { hardenComposeService, type HardenOptions, type HardenReport } from './trial';

export interface ContainerHardening {
  report: HardenReport;
  /** Where the service came from: the container's compose file on this machine, or its inspect data. */
  source: { composeFile: string } | { inspect: true };
  /** The hardened service as a one-service compose file, and as a `docker run` command (secrets as names only). */
  composeService?: string;
  runCommand?: string;
}

/**
 * `bulkhead harden --container`: the same trial as for a compose service, on a copy of a
 * running container (it is not touched; the trial publishes no host ports, which it holds).
 * Its compose file is the source when compose started it and the file is here, else its inspect data.
 */
export async function hardenRunningContainer(options: Omit<HardenOptions, 'composeFile' | 'service' | 'publishPorts'> & { container: string }): Promise<ContainerHardening> {
  let inspect: ContainerInspect;
  try {
    inspect = (await withTimeout(options.docker.getContainer(options.container).inspect(), 15000, 'inspect')) as unknown as ContainerInspect;
  } catch (e) {
    const status = (e as { statusCode?: number }).statusCode;
    const error = status === 404 ? `no container "${options.container}"` : `cannot inspect "${options.container}": ${(e as Error).message.split('\n')[0]}`;
    return { source: { inspect: true }, report: { service: options.container, trialId: '', relaxed: [], verification: {}, verified: false, originalText: '', seccompFile: '', trials: 0, error } };
  }
  const name = serviceNameOf(inspect);
  const compose = composeLabels(inspect.Config?.Labels);
  const located = compose?.service ? locateComposeService({ name, compose }) : undefined;
  if (located && 'file' in located && compose?.service) {
    const report = await hardenComposeService({ ...options, composeFile: located.file, service: compose.service, publishPorts: false });
    const service = report.hardenedText ? (parse(report.hardenedText, { merge: true }) as { services?: Record<string, ComposeServiceObject> }).services?.[compose.service] : undefined;
    return { report, source: { composeFile: located.file }, ...rendered(compose.service, service) };
  }
  // A file of its own in a private folder: it may hold the container's secrets.
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-harden-container-'));
  try {
    chmodSync(dir, 0o700);
    const file = join(dir, 'compose.yml');
    writeFileSync(file, composeFileText(name, composeServiceFromInspect(inspect)), { mode: 0o600 });
    const report = await hardenComposeService({ ...options, composeFile: file, service: name, publishPorts: false });
    const service = report.hardenedText ? (parse(report.hardenedText) as { services: Record<string, ComposeServiceObject> }).services[name] : undefined;
    // The compose file was a temporary one: the text shown is the service, not a diff of it.
    // The profile goes where `docker run --security-opt seccomp=./NAME.seccomp.json` finds it: the current folder.
    return { report: { ...report, originalText: '', originalSnapshot: undefined, seccompFile: resolve(`${name}.seccomp.json`) }, source: { inspect: true }, ...rendered(name, service) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function rendered(name: string, service: ComposeServiceObject | undefined): Pick<ContainerHardening, 'composeService' | 'runCommand'> {
  if (!service) return {};
  const shown = withoutSecretValues(service);
  return { composeService: composeFileText(name, shown), runCommand: dockerRunCommand(name, shown) };
}
