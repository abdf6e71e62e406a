import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { safeText } from '../output/escape';

function duplicates<T>(items: readonly T[], id: (t: T) => number | undefined, name: (t: T) => string): [number, string[]][] {
  const byId = new Map<number, string[]>();
  for (const item of items) {
    const key = id(item);
    if (key !== undefined) byId.set(key, [...(byId.get(key) ?? []), name(item)]);
  }
  return [...byId].filter(([, names]) => names.length > 1);
}

function imageCheck(ctx: ImageContext): Report[] {
  const accounts = ctx.files?.accounts;
  if (!accounts) return [];
  const list = (names: string[]) => names.map((n) => safeText(n, 64)).join(', ');
  return [
    ...duplicates(accounts.users, (u) => u.uid, (u) => u.name).map(([uid, names]) => ({
      message: `uid ${uid} belongs to ${names.length} accounts (${list(names)}): they are the same user to the kernel${uid === 0 ? ', and all of them are root' : ''}`,
      evidence: `/etc/passwd uid ${uid}`,
      layer: accounts.passwdLayer,
      path: '/etc/passwd',
      severity: uid === 0 ? ('error' as const) : undefined,
    })),
    ...duplicates(accounts.groups, (g) => g.gid, (g) => g.name).map(([gid, names]) => ({
      message: `gid ${gid} belongs to ${names.length} groups (${list(names)})`,
      evidence: `/etc/group gid ${gid}`,
      layer: accounts.groupLayer,
      path: '/etc/group',
    })),
  ];
}

export default defineRule({
  meta: {
    id: 'account-duplicate-id',
    title: 'Duplicate UID or GID',
    severity: 'warning',
    targets: ['image'],
    rationale:
      'The kernel knows users and groups by number. Two accounts with one uid share every file and every permission, whatever their names suggest; a second uid 0 is a hidden root account.',
    remediation: 'Give every account and group its own id (`adduser -u`, `groupadd -g`), and remove accounts the image does not need.',
    refs: { dockle: ['DKL-LI-0002'] },
  },
  image: imageCheck,
});
