import { UsageError, wantsHelp } from './args';
import { processIo, VERSION, type Io } from './io';
import { runLint, LINT_USAGE } from './lint';
import { runFix, FIX_USAGE } from './fix';
import { runDocs } from './docs';

// The engine commands are loaded when asked for: dockerode (with ssh2, grpc-js, protobufjs)
// costs more than the whole of `lint` on one file.

const USAGE = `bulkhead ${VERSION}: harden Docker containers where you write them

  ${LINT_USAGE.replace('usage: ', '')}
  ${FIX_USAGE.replace('usage: ', '')}
  bulkhead audit host [--format text|json|sarif|html|markdown] [--only IDS] [--exclude IDS] [--fail-on warn|info|note|skip|never] [--host URL]
  bulkhead audit containers [--format text|json|sarif] [--fail-on error|warning|info] [--engine URL]
  bulkhead audit image IMAGE... [--dockerfile PATH] [--format text|json|sarif] [--fail-on error|warning|info] [--engine ADDRESS]
  bulkhead profile <container> --seconds N --out FILE [--caps-out FILE] [--no-verify] [--format text|json]
  bulkhead profile --from-strace LOG --out FILE [--caps-out FILE] [--format text|json]
  bulkhead harden COMPOSE_FILE --service NAME [--observe SECONDS] [--exercise 'CMD'] [--write] [--format text|json]
  bulkhead harden --container NAME_OR_ID [--observe SECONDS] [--exercise 'CMD'] [--write] [--format text|json]
  bulkhead docs [--out DIR] [--check]

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or unreadable files.
`;

/** The usage lines of one command (`bulkhead audit host --help` shows the audit host line). */
function usageOf(command: string, rest: string[]): string {
  const prefix = `bulkhead ${command === 'audit' && !rest[0]?.startsWith('-') ? `${command} ${rest[0] ?? ''}`.trim() : command}`;
  const lines = USAGE.split('\n').filter((l) => l.trim().startsWith(prefix));
  return lines.length ? `usage:\n${lines.join('\n')}\n` : USAGE;
}

// Commands whose own parser has no "never": `--fail-on never` is taken off and exit 1 becomes 0.
const FAIL_ON_NEVER_HERE = new Set(['audit containers', 'profile', 'docs']);

function takeFailOnNever(argv: string[]): { argv: string[]; never: boolean } {
  const out: string[] = [];
  let never = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      for (const rest of argv.slice(i)) out.push(rest);
      break;
    }
    if (argv[i] === '--fail-on=never') never = true;
    else if (argv[i] === '--fail-on' && argv[i + 1] === 'never') {
      never = true;
      i++;
    } else out.push(argv[i]);
  }
  return { argv: out, never };
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...given] = argv;
  if (command && !command.startsWith('-') && command !== 'help' && wantsHelp(given)) {
    io.out(usageOf(command, given));
    return 0;
  }
  const key = command === 'audit' ? `audit ${given[0]}` : command;
  if (key !== undefined && FAIL_ON_NEVER_HERE.has(key)) {
    const { argv: rest, never } = takeFailOnNever(given);
    const code = await run(command, rest, io);
    return never && code === 1 ? 0 : code;
  }
  return run(command, given, io);
}

async function run(command: string | undefined, rest: string[], io: Io): Promise<number> {
  try {
    switch (command) {
      case 'lint':
        return await runLint(rest, io);
      case 'fix':
        return await runFix(rest, io);
      case 'profile':
        return await (await import('./profile')).runProfile(rest, io);
      case 'harden':
        return await (await import('./harden')).runHarden(rest, io);
      case 'docs':
        return runDocs(rest, io);
      case 'audit': {
        const [what, ...more] = rest;
        if (what === 'host') return await (await import('./audit-host')).runAuditHost(more, io);
        if (what === 'containers') return await (await import('./audit-containers')).runAuditContainers(more, io);
        if (what === 'image') return await (await import('./audit-image')).runAuditImage(more, io);
        throw new UsageError('usage: bulkhead audit host|containers|image [options]');
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
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
