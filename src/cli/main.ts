import { UsageError } from './args';
import { processIo, VERSION, type Io } from './io';
import { runLint, LINT_USAGE } from './lint';
import { runFix, FIX_USAGE } from './fix';
import { runDocs } from './docs';
import { runAuditHost } from './audit-host';
import { runAuditContainers } from './audit-containers';
import { runProfile } from './profile';
import { runHarden, HARDEN_USAGE } from './harden';

const USAGE = `bulkhead ${VERSION}: harden Docker containers where you write them

  ${LINT_USAGE.replace('usage: ', '')}
  ${FIX_USAGE.replace('usage: ', '')}
  bulkhead audit host [--format text|json|sarif|html|markdown] [--only IDS] [--exclude IDS] [--fail-on warn|info|note|skip|never] [--host URL]
  bulkhead audit containers [--format text|json|sarif] [--fail-on error|warning|info] [--engine URL]
  bulkhead profile <container> --seconds N --out FILE [--caps-out FILE]
  bulkhead profile --from-strace LOG --out FILE [--caps-out FILE]
  ${HARDEN_USAGE.replace('usage: ', '')}
  bulkhead docs [--out DIR] [--check]

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or unreadable files.
`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'lint':
        return runLint(rest, io);
      case 'fix':
        return runFix(rest, io);
      case 'profile':
        return await runProfile(rest, io);
      case 'harden':
        return await runHarden(rest, io);
      case 'docs':
        return runDocs(rest, io);
      case 'audit': {
        const [what, ...more] = rest;
        if (what === 'host') return await runAuditHost(more, io);
        if (what === 'containers') return await runAuditContainers(more, io);
        throw new UsageError('usage: bulkhead audit host|containers [options]');
      }
      case '--version':
      case 'version':
        io.out(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bulkhead: ${e.message}\n`);
      return 2;
    }
    io.err(`bulkhead: internal error: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
