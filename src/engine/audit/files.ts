// File ownership and permission checks. Modes are compared as bits, never as numbers: "644 or
// stricter" means no permission bit outside 0644 is set, so 0606 (world-writable) fails even
// though 606 < 644 as a decimal number (docker-bench-security's mistake).
import type { FileEvidence } from './model';

export const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(3, '0');

/** True when `mode` grants nothing beyond `allowed` (setuid/setgid/sticky included). */
export function modeWithin(mode: number, allowed: number): boolean {
  return ((mode & 0o7777) & ~allowed) === 0;
}

export function describeFile(f: FileEvidence): string {
  if (!f.exists) return `${f.path}: not present`;
  const who = `${f.owner ?? f.uid}:${f.group ?? f.gid}`;
  return `${f.path}: ${f.type ?? 'file'} mode ${f.mode === undefined ? '?' : octal(f.mode)} owner ${who}`;
}

/** Owner check: `group` may list acceptable groups (root:docker for the socket). */
export function ownedBy(f: FileEvidence, owner: string, groups: readonly string[]): boolean {
  const ownerOk = f.owner === owner || (owner === 'root' && f.uid === 0);
  const groupOk = groups.some((g) => f.group === g || (g === 'root' && f.gid === 0));
  return ownerOk && groupOk;
}
