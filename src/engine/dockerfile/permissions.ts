import type { DockerfileContext } from './context';
import { runCommands, unwrapSudo, type RunCommand } from './run';
import type { ShellWord } from './shell';

/** A `chmod MODE PATH…` or `chown OWNER PATH…` in a RUN. */
export interface PermissionChange {
  cmd: RunCommand;
  /** The MODE (chmod) or OWNER[:GROUP] (chown) word. */
  spec: ShellWord;
  paths: ShellWord[];
  recursive: boolean;
}

/** chmod/chown options that take a separate value. */
const VALUE_OPTIONS = new Set(['--reference', '--from']);

/** Every chmod or chown (through sudo) of every RUN, in file order. */
export function permissionChanges(ctx: DockerfileContext, program: 'chmod' | 'chown'): PermissionChange[] {
  const found: PermissionChange[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name !== program) continue;
    const operands: ShellWord[] = [];
    let recursive = false;
    for (let k = 0; k < cmd.args.length; k++) {
      const v = cmd.args[k].value;
      // A symbolic mode may start with `-` (`chmod -w file`): only the first operand position can hold it.
      if (v.startsWith('-') && !(program === 'chmod' && !operands.length && /^-[rwxXst]+$/.test(v) && !/^-[Rvcf]+$/.test(v))) {
        if (/^-[a-zA-Z]*R/.test(v) || v === '--recursive') recursive = true;
        if (VALUE_OPTIONS.has(v)) k++;
        continue;
      }
      operands.push(cmd.args[k]);
    }
    if (operands.length >= 2) found.push({ cmd, spec: operands[0], paths: operands.slice(1), recursive });
  }
  return found;
}

/**
 * Whether a chmod mode grants write to `who` ('o' others, 'g' the group): octal `777`, `0666`,
 * symbolic `o+w`, `a+rwx`, `g=u` (the group copies the owner's write bit). A clause with no
 * `ugoa` is filtered by the umask (022 in builds), so `+w` alone does not count.
 */
export function grantsWrite(mode: string, who: 'o' | 'g'): boolean {
  if (/^[0-7]{1,5}$/.test(mode)) return (parseInt(mode, 8) & (who === 'o' ? 0o002 : 0o020)) !== 0;
  return mode.split(',').some((clause) => {
    const m = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!m || !m[1] || !(m[1].includes(who) || m[1].includes('a'))) return false;
    return [...m[2].matchAll(/([-+=])([rwxXstugo]*)/g)].some(([, op, perms]) => op !== '-' && (perms.includes('w') || perms.includes('u')));
  });
}

/** Whether a chmod mode sets the sticky bit (`1777`, `+t`): users cannot remove each other's files. */
export function setsSticky(mode: string): boolean {
  if (/^[0-7]{4,5}$/.test(mode)) return (parseInt(mode, 8) & 0o1000) !== 0;
  return /[+=][rwxXs]*t/.test(mode);
}

/** The files that decide who is root: accounts, groups, their passwords, and sudo's rules. */
export function isAccountFile(path: string): boolean {
  return /^\/etc\/(?:passwd|shadow|group|gshadow|sudoers)$/.test(path);
}
