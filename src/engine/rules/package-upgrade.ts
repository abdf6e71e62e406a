import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { APT_VALUE_OPTIONS, runCommands, subcommand, unwrapSudo } from '../dockerfile/run';
import { APK_VALUE_OPTIONS, RPM_VALUE_OPTIONS } from '../dockerfile/packages';

/**
 * Whole-system upgrades per package manager: `upgrade` (what is installed, newer) is info;
 * `dist-upgrade` and friends (may add, remove or switch packages) keep the rule's warning.
 */
const UPGRADES: Record<string, { plain: RegExp; dist?: RegExp; valueOptions: Set<string>; targeted: boolean }> = {
  // apt upgrades everything whatever follows (`apt-get upgrade pkg` still upgrades the system).
  'apt-get': { plain: /^upgrade$/, dist: /^dist-upgrade$/, valueOptions: APT_VALUE_OPTIONS, targeted: false },
  apt: { plain: /^upgrade$/, dist: /^(?:dist-upgrade|full-upgrade)$/, valueOptions: APT_VALUE_OPTIONS, targeted: false },
  // The others upgrade only the packages named, when some are: a targeted fix, not reported.
  apk: { plain: /^upgrade$/, valueOptions: APK_VALUE_OPTIONS, targeted: true },
  yum: { plain: /^(?:update|upgrade|update-minimal|upgrade-minimal)$/, dist: /^distro-sync$/, valueOptions: RPM_VALUE_OPTIONS, targeted: true },
  dnf: { plain: /^(?:update|upgrade|upgrade-minimal|update-minimal)$/, dist: /^(?:distro-sync|distrosync|dsync|distribution-synchronization)$/, valueOptions: RPM_VALUE_OPTIONS, targeted: true },
  microdnf: { plain: /^(?:update|upgrade)$/, valueOptions: RPM_VALUE_OPTIONS, targeted: true },
  zypper: { plain: /^(?:update|up|patch)$/, dist: /^(?:dist-upgrade|dup)$/, valueOptions: RPM_VALUE_OPTIONS, targeted: true },
};
UPGRADES.dnf5 = UPGRADES.dnf;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    const manager = UPGRADES[cmd.name];
    if (!manager) continue;
    const sub = subcommand(cmd.args, manager.valueOptions);
    if (!sub) continue;
    const dist = manager.dist?.test(sub.word.value) ?? false;
    if (!dist && !manager.plain.test(sub.word.value)) continue;
    if (manager.targeted && namesPackages(cmd.args.slice(sub.index + 1).map((w) => w.value), manager.valueOptions)) continue;
    reports.push({
      message: `${cmd.name} ${sub.word.value} in a Dockerfile: the image's contents depend on the day it was built; take updates by rebuilding on a newer base image`,
      range: { start: cmd.nameWord.start, end: sub.word.end },
      severity: dist ? undefined : 'info',
      fixes: [],
    });
  }
  return reports;
}

/** Whether words after the subcommand name packages (options and their values are not packages). */
function namesPackages(words: string[], valueOptions: Set<string>): boolean {
  for (let k = 0; k < words.length; k++) {
    if (!words[k].startsWith('-')) return true;
    if (valueOptions.has(words[k])) k++;
  }
  return false;
}

export default defineRule({
  meta: {
    id: 'package-upgrade',
    title: 'Distribution upgrade in the image',
    severity: 'warning',
    severityWhen: { info: 'it is a plain upgrade (`upgrade`, `apk upgrade`, `yum`/`dnf update`, `zypper up`), not `dist-upgrade`, `full-upgrade`, `distro-sync` or `zypper dup`' },
    targets: ['dockerfile'],
    rationale:
      '`apt-get upgrade`/`dist-upgrade`, `apk upgrade`, `yum`/`dnf update` and `zypper up`/`dup` pull whatever the mirror has on build day, make builds unreproducible, and the distribution-level forms may add or remove packages or even move to packages the base image maintainers never tested. Fixes belong in a newer base image. Updating named packages (`apk upgrade openssl`, `dnf update -y openssl`) is a targeted fix and is not reported.',
    remediation: 'Rebuild on an updated (pinned) base image, and install specific packages with `apt-get install -y --no-install-recommends pkg=version`.',
    refs: { hadolint: ['DL3005', 'DL3017'], trivy: ['DS-0024'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n', 'FROM alpine:3.20\nRUN apk upgrade --no-cache\n', 'FROM rockylinux:9\nRUN dnf -y update && dnf clean all\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n', 'FROM alpine:3.20\nRUN apk upgrade --no-cache openssl\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
