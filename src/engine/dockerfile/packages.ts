import type { DockerfileContext } from './context';
import { finalImageStages } from './stage';
import { APT_VALUE_OPTIONS, runCommands, subcommand, unwrapSudo, type RunCommand } from './run';
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
export const RPM_VALUE_OPTIONS = new Set([
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

/** apk options that take a separate value (`--virtual NAME` names a group, not a package). */
export const APK_VALUE_OPTIONS = new Set(['-X', '--repository', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file', '-t', '--virtual']);

export type OsManager = 'apt' | 'apk' | RpmManager;

/** A call that installs or removes distribution packages, with the package words it names. */
export interface OsPackageChange {
  raw: RunCommand;
  cmd: RunCommand;
  manager: OsManager;
  /** `mark-auto`/`mark-manual`: `apt-mark auto|manual` (what a later autoremove may take). */
  action: 'install' | 'remove' | 'mark-auto' | 'mark-manual';
  /** apt `autoremove`, or `purge`/`remove --auto-remove`: also removes the packages marked automatic. */
  autoremove?: boolean;
  /** The subcommand word (`install`, `add`, `in`). */
  sub: ShellWord;
  /** Package arguments: options, their values and an apk `--virtual` name left out. */
  packages: ShellWord[];
  /** apk `--virtual NAME`: the group `apk del NAME` removes together. */
  group?: string;
}

const INSTALLS: Record<OsManager, RegExp> = {
  apt: /^(?:install|reinstall)$/,
  apk: /^add$/,
  yum: /^(?:install|reinstall|localinstall)$/,
  dnf: /^(?:install|reinstall|localinstall)$/,
  microdnf: /^install$/,
  zypper: /^(?:install|in)$/,
};
const REMOVES: Record<OsManager, RegExp> = {
  apt: /^(?:remove|purge)$/,
  apk: /^del$/,
  yum: /^(?:remove|erase)$/,
  dnf: /^(?:remove|erase)$/,
  microdnf: /^remove$/,
  zypper: /^(?:remove|rm)$/,
};

/** Every install and removal of distribution packages (apt, apk, yum, dnf, microdnf, zypper), in file order. */
export function osPackageChanges(ctx: DockerfileContext): OsPackageChange[] {
  const found: OsPackageChange[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name === 'apt-mark') {
      const sub = subcommand(cmd.args);
      // `apt-mark auto '.*' > /dev/null`: the redirection is not a package.
      const names = (sub ? cmd.args.slice(sub.index + 1) : []).filter((w, k, all) => !/^\d*[<>]/.test(w.value) && !/^\d*[<>]+$/.test(all[k - 1]?.value ?? ''));
      if (sub?.word.value === 'auto' || sub?.word.value === 'manual') found.push({ raw, cmd, manager: 'apt', action: `mark-${sub.word.value}`, sub: sub.word, packages: names });
      continue;
    }
    const manager: OsManager | undefined =
      cmd.name === 'apt-get' || cmd.name === 'apt' ? 'apt' : cmd.name === 'apk' ? 'apk' : RPM_MANAGERS.has(cmd.name) ? ((cmd.name === 'dnf5' ? 'dnf' : cmd.name) as RpmManager) : undefined;
    if (!manager) continue;
    const valueOptions = manager === 'apt' ? APT_VALUE_OPTIONS : manager === 'apk' ? APK_VALUE_OPTIONS : RPM_VALUE_OPTIONS;
    const sub = subcommand(cmd.args, valueOptions);
    if (!sub) continue;
    const autoremove = manager === 'apt' && (sub.word.value === 'autoremove' || cmd.args.some((w) => w.value === '--auto-remove' || w.value === '--autoremove'));
    const action = INSTALLS[manager].test(sub.word.value) ? 'install' : REMOVES[manager].test(sub.word.value) || autoremove ? 'remove' : undefined;
    if (!action) continue;
    const packages: ShellWord[] = [];
    let group: string | undefined;
    for (let k = sub.index + 1; k < cmd.args.length; k++) {
      const v = cmd.args[k].value;
      if (!v.startsWith('-')) packages.push(cmd.args[k]);
      else if (valueOptions.has(v)) {
        if (v === '-t' || v === '--virtual') group = manager === 'apk' ? cmd.args[k + 1]?.value : group;
        k++;
      } else if (manager === 'apk' && v.startsWith('--virtual=')) group = v.slice('--virtual='.length);
    }
    found.push({ raw, cmd, manager, action, sub: sub.word, packages, group, autoremove });
  }
  return found;
}

/**
 * The name of a package argument without its version or release (`curl=8.5.0-2` → `curl`,
 * `gcc~13` → `gcc`, `bash/bookworm-backports` → `bash`, `gcc-11.4.1` → `gcc`), lower-cased.
 */
function packageName(word: string, manager: OsManager): string {
  const lower = word.toLowerCase();
  if (manager === 'apt') return lower.split(/[=/]/)[0];
  if (manager === 'apk') return lower.split(/[=~<>]/)[0];
  // rpm: `name-version[-release]`; a dash followed by a digit starts the version.
  return lower.split(/[=<>]/)[0].replace(/-\d.*$/, '');
}

/**
 * The distribution packages the final image keeps: installed by a RUN of the final stage or a
 * stage it builds on, and not removed later there (by name, an apk `--virtual` group by its
 * name, or an apt autoremove after `apt-mark auto`, the official images' idiom). Keyed by
 * package name; the value is the last install of it.
 */
export function packagesInFinalImage(ctx: DockerfileContext): Map<string, { word: ShellWord; change: OsPackageChange }> {
  const chain = finalImageStages(ctx);
  const kept = new Map<string, { word: ShellWord; change: OsPackageChange }>();
  const automatic = new Set<string>();
  const names = (change: OsPackageChange) => change.packages.map((w) => packageName(w.value, change.manager));
  for (const change of osPackageChanges(ctx)) {
    const stage = ctx.stageOf(change.raw.instruction);
    if (!stage || !chain.has(stage)) continue;
    if (change.action === 'install') {
      for (const word of change.packages) {
        const name = packageName(word.value, change.manager);
        kept.set(name, { word, change });
        automatic.delete(name);
      }
    } else if (change.action === 'mark-auto') {
      // A pattern (`'.*'`) marks everything installed so far.
      const all = change.packages.some((w) => /[*^$[]/.test(w.value));
      for (const name of all ? [...kept.keys()].filter((n) => kept.get(n)!.change.manager === 'apt') : names(change)) automatic.add(name);
    } else if (change.action === 'mark-manual') {
      for (const name of names(change)) automatic.delete(name);
    } else {
      const removed = new Set(names(change));
      if (change.autoremove) for (const name of automatic) removed.add(name);
      for (const [name, entry] of kept) if (removed.has(name) || (entry.change.group !== undefined && removed.has(entry.change.group.toLowerCase()))) kept.delete(name);
    }
  }
  return kept;
}
