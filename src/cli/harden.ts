import { createClient, resolveDefaultEngine } from '../docker/connection';
import { writeFileAtomic } from '../workspace/atomicWrite';
import { hardenComposeService, type HardenOptions, type HardenReport } from '../docker/harden/trial';
import { hardenRunningContainer, type ContainerHardening } from '../docker/harden/container';
import { hardenText } from '../docker/harden/report';
import { escapeControl } from '../engine/output/escape';
import { oneOf, parseArgs, UsageError } from './args';
import type { Io } from './io';

export const HARDEN_USAGE =
  "usage: bulkhead harden COMPOSE_FILE --service NAME [--observe SECONDS] [--exercise 'CMD'] [--write] [--format text|json]\n       bulkhead harden --container NAME_OR_ID [--observe SECONDS] [--exercise 'CMD'] [--write] [--format text|json]";

/** The JSON contract of `bulkhead harden --format json` (issue 12); CI relies on its shape. */
export function hardenJson(report: HardenReport, container?: ContainerHardening): object {
  const run = (o: HardenReport['verification']['baseline']) => (o ? { exitCode: o.exitCode, healthy: o.healthy, restarts: o.restarts } : null);
  return {
    service: report.service,
    changes: (report.derivation?.changes ?? []).map((c) => ({ key: c.key, value: c.value, evidence: c.evidence })),
    verification: { baseline: run(report.verification.baseline), hardened: run(report.verification.hardened) },
    verified: report.verified,
    relaxed: report.relaxed.map((r) => ({ key: r.key, why: r.why })),
    // --container: the hardened service to paste, both ways, and where it came from.
    ...(container
      ? {
          container: { source: 'composeFile' in container.source ? { composeFile: container.source.composeFile } : 'inspect', compose: container.composeService ?? null, dockerRun: container.runCommand ?? null },
        }
      : {}),
  };
}

/**
 * `bulkhead harden`: observe a compose service in a throw-away project, derive its least-privilege
 * settings, prove them on a second run. Exit 0 verified, 1 not verified, 2 usage or engine problems.
 */
export async function runHarden(argv: string[], io: Io): Promise<number> {
  const args = parseArgs(argv, ['service', 'observe', 'exercise', 'format', 'container'], ['write']);
  const format = oneOf('format', args.options.get('format'), ['text', 'json'] as const, 'text');
  const [file, ...extra] = args.positionals;
  const service = args.options.get('service');
  const containerName = args.options.get('container');
  if (containerName === true || (containerName !== undefined && (file || service !== undefined))) throw new UsageError(HARDEN_USAGE);
  if (containerName === undefined && (!file || extra.length || typeof service !== 'string')) throw new UsageError(HARDEN_USAGE);
  const observeText = args.options.get('observe') ?? '10';
  const observe = Number(observeText);
  if (observeText === true || !Number.isFinite(observe) || observe < 1 || observe > 3600) throw new UsageError('--observe must be a number of seconds between 1 and 3600');
  const exercise = args.options.get('exercise');
  if (exercise === true) throw new UsageError('--exercise needs a command');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  // Ctrl-C or a kill: stop, and remove everything the trial started before exiting.
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const trial: Omit<HardenOptions, 'composeFile' | 'service'> = {
    docker: createClient(resolveDefaultEngine()),
    observeSeconds: observe,
    // The user typed this command line: it is theirs to run through a shell.
    exercise: exercise ? { argv: ['/bin/sh', '-c', exercise] } : undefined,
    signal: controller.signal,
    onProgress: (m) => io.err(`bulkhead: ${m}\n`),
  };
  let report: HardenReport;
  let container: ContainerHardening | undefined;
  try {
    if (containerName !== undefined) {
      container = await hardenRunningContainer({ ...trial, container: containerName });
      report = container.report;
    } else report = await hardenComposeService({ ...trial, composeFile: file, service: service as string });
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigint);
  }
  let wrote = false;
  if (report.verified && report.hardenedText !== undefined && args.options.has('write')) {
    try {
      if (report.seccompText) writeFileAtomic(report.seccompFile, report.seccompText);
      // --container: only the seccomp profile is a file; the service is printed, to paste where it belongs.
      if (!container) writeFileAtomic(file, report.hardenedText, report.originalSnapshot);
      wrote = true;
    } catch (e) {
      io.err(`bulkhead: cannot write: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (format === 'json') io.out(`${JSON.stringify(hardenJson(report, container))}\n`);
  else {
    io.out(hardenText(report, container ? report.seccompFile : file, wrote, !!container));
    if (container?.composeService) io.out(`\n# compose service\n${escapeControl(container.composeService)}\n# docker run\n${escapeControl(container.runCommand ?? '')}\n`);
  }
  if (report.error) io.err(`bulkhead: ${escapeControl(report.error)}\n`);
  if (report.verified) return 0;
  // No evidence at all (strace, engine, unreadable file): an environment problem.
  return report.derivation ? 1 : 2;
}
