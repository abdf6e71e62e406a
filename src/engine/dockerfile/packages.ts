import type { DockerfileContext } from './context';
import { runCommands, subcommand, unwrapSudo, type RunCommand } from './run';
import type { ShellWord } from './shell';

/** A package manager call in a RUN (through sudo), with its subcommand word. */
export interface PackageInvocation {
  /** The command as written (possibly `sudo dnf …`). */
  raw: RunCommand;
  /** The package manager command itself (for `python -m pip`, the python command). */
  cmd: RunCommand;
  /** The manager's arguments after its name (after `-m pip` for `python -m pip`). */
  args: ShellWord[];
  sub: { word: ShellWord; index: number };
}

/** yum/dnf/zypper options that take a separate value, so the subcommand is found after them. */
const RPM_VALUE_OPTIONS = new Set([
  '-c', '--config', '--installroot', '--releasever', '--setopt', '--enablerepo', '--disablerepo', '--repo', '--repoid', '-x', '--exclude',
  '--forcearch', '-d', '--debuglevel', '-e', '--errorlevel', '-R', '--root', '-D', '--reposd-dir', '-C', '--cache-dir', '--raw-cache-dir',
]);
/** pip options that take a separate value before the subcommand. */
const PIP_VALUE_OPTIONS = new Set(['--python', '--log', '--proxy', '--retries', '--timeout', '--exists-action', '--trusted-host', '--cert', '--client-cert', '--cache-dir', '--src', '--use-feature', '--use-deprecated']);

export type RpmManager = 'yum' | 'dnf' | 'microdnf' | 'zypper';
const RPM_MANAGERS = new Set<string>(['yum', 'dnf', 'dnf5', 'microdnf', 'zypper']);

/** Every yum, dnf, microdnf and zypper call with a subcommand, in file order. */
export function rpmInvocations(ctx: DockerfileContext): (PackageInvocation & { manager: RpmManager })[] {
  const found: (PackageInvocation & { manager: RpmManager })[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (!RPM_MANAGERS.has(cmd.name)) continue;
    const sub = subcommand(cmd.args, RPM_VALUE_OPTIONS);
    if (sub) found.push({ raw, cmd, args: cmd.args, sub, manager: (cmd.name === 'dnf5' ? 'dnf' : cmd.name) as RpmManager });
  }
  return found;
}

/** Every `pip install` (pip, pip3, pip3.12, `python3 -m pip`), in file order. */
export function pipInstalls(ctx: DockerfileContext): PackageInvocation[] {
  const found: PackageInvocation[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    let args: ShellWord[] | undefined;
    if (/^pip[\d.]*$/.test(cmd.name)) args = cmd.args;
    else if (/^python[\d.]*$/.test(cmd.name) && cmd.args[0]?.value === '-m' && cmd.args[1]?.value === 'pip') args = cmd.args.slice(2);
    if (!args) continue;
    const sub = subcommand(args, PIP_VALUE_OPTIONS);
    if (sub?.word.value === 'install') found.push({ raw, cmd, args, sub });
  }
  return found;
}
