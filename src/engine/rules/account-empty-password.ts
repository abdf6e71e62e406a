import { defineRule, type Report } from '../rule';
import type { ImageContext } from '../image/context';
import { layerLabel } from '../image/describe';
import { safeText } from '../output/escape';

function imageCheck(ctx: ImageContext): Report[] {
  const accounts = ctx.files?.accounts;
  if (!accounts) return [];
  return accounts.users
    .filter((u) => u.password === 'empty')
    .map((u) => {
      const layer = u.passwordFrom === 'shadow' ? accounts.shadowLayer : accounts.passwdLayer;
      return {
        message: `account ${safeText(u.name, 64)}${u.uid !== undefined ? ` (uid ${u.uid})` : ''} has an empty password: anyone can log in as it or \`su\` to it`,
        evidence: `password field empty (from ${layer ? layerLabel(ctx, layer) : 'the image'})`,
        layer,
        path: `/etc/${u.passwordFrom}`,
        severity: u.uid === 0 ? ('error' as const) : undefined,
      };
    });
}

export default defineRule({
  meta: {
    id: 'account-empty-password',
    title: 'Account with an empty password',
    severity: 'warning',
    targets: ['image'],
    rationale:
      'An account whose password field is empty needs no password: with `su`, `login` or an SSH daemon in the image, any process can become that user (root, if it is root).',
    remediation: 'Lock the account (`passwd -l NAME`, or `*`/`!` in /etc/shadow) or create it without a password (`adduser -D`, `useradd` without `-p`).',
    refs: { dockle: ['DKL-LI-0001'] },
  },
  image: imageCheck,
});
