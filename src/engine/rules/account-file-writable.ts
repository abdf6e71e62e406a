import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { grantsWrite, isAccountFile, permissionChanges } from '../dockerfile/permissions';

// A separate concern from world-writable: it is about becoming root, not about sharing files, and
// a GROUP-writable /etc/passwd is already a way to root (the OpenShift `chmod g=u /etc/passwd`
// pattern lets the random uid, whose group is 0, add a uid-0 account).

/** Whether a path operand names an account file, or /etc itself changed recursively. */
function touchesAccountFiles(path: string, recursive: boolean): boolean {
  return isAccountFile(path) || (recursive && /^\/etc\/?$/.test(path));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const change of permissionChanges(ctx, 'chmod')) {
    const world = grantsWrite(change.spec.value, 'o');
    if (!world && !grantsWrite(change.spec.value, 'g')) continue;
    const paths = change.paths.filter((p) => touchesAccountFiles(p.value, change.recursive));
    if (!paths.length) continue;
    reports.push({
      message: `chmod ${change.spec.value} makes ${paths.map((p) => p.value).join(', ')} writable by ${world ? 'every user' : 'its group'}: whoever can write it can add a uid-0 account or change root's password`,
      range: { start: change.cmd.nameWord.start, end: paths[paths.length - 1].end },
      severity: world ? 'error' : undefined,
      fixes: [],
    });
  }
  for (const change of permissionChanges(ctx, 'chown')) {
    const owner = change.spec.value.split(/[:.]/)[0];
    if (!owner || /^(?:root|0)$/.test(owner)) continue;
    const paths = change.paths.filter((p) => touchesAccountFiles(p.value, change.recursive));
    if (!paths.length) continue;
    reports.push({
      message: `chown ${change.spec.value} gives ${paths.map((p) => p.value).join(', ')} to a non-root user: that user can add a uid-0 account or change root's password`,
      range: { start: change.cmd.nameWord.start, end: paths[paths.length - 1].end },
      fixes: [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'account-file-writable',
    title: '/etc/passwd, /etc/shadow or /etc/group made writable',
    severity: 'warning',
    severityWhen: { error: 'every user may write the file (o+w, 666, 777)' },
    targets: ['dockerfile'],
    rationale:
      'Whoever can write /etc/passwd, /etc/shadow, /etc/group or /etc/sudoers can give an account uid 0, clear root\'s password or grant themselves sudo: a process that runs as non-root is one write away from root. Images built for arbitrary uids (OpenShift) often `chmod g=u /etc/passwd` so the entrypoint can add the running uid; with group 0 that is the same hole.',
    remediation:
      'Keep the account files owned by root with mode 644 (passwd, group) or 640/600 (shadow, gshadow, sudoers). Create the service user at build time (`useradd`), run with a numeric `USER`, or use nss_wrapper (`LD_PRELOAD=libnss_wrapper.so` with `NSS_WRAPPER_PASSWD`) for arbitrary uids. No automatic fix: the entrypoint that writes the file has to change with it.',
    refs: {},
    examples: {
      dockerfile: {
        bad: ['FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nRUN chgrp 0 /etc/passwd && chmod g=u /etc/passwd\nUSER 1001\n', 'FROM debian:12\nRUN chmod 666 /etc/passwd /etc/group\n'],
        good: ['FROM debian:12\nRUN useradd --system --uid 10001 app && chmod 644 /etc/passwd\nUSER 10001\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
