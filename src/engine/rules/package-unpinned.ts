import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { osPackageChanges, pipInstalls, type OsManager } from '../dockerfile/packages';
import { runCommands, subcommand, unwrapSudo } from '../dockerfile/run';
import type { ShellWord } from '../dockerfile/shell';
import type { References } from '../model';

// Registry packages installed without a version. Downloads from moving references (a branch, a
// `latest` URL) are a separate concern, source-unpinned: they are fixed differently (a commit or a
// checksum, not a version) and teams that accept distribution updates still want to see them.

/** How each manager writes a version into a package argument. */
const PINNED: Record<OsManager, RegExp> = {
  apt: /=/,
  apk: /[=~<>]/,
  yum: /-\d/,
  dnf: /-\d/,
  microdnf: /-\d/,
  zypper: /[=<>]|-\d/,
};
const OS_REFS: Record<OsManager, string> = { apt: 'DL3008', apk: 'DL3018', yum: 'DL3033', dnf: 'DL3041', microdnf: 'DL3041', zypper: 'DL3037' };

/** Arguments that are not registry package names: variables, paths, files, URLs, globs. */
function notARegistryName(value: string): boolean {
  return /[$*`]/.test(value) || /^[./~]/.test(value) || value.includes('://') || /\.(?:deb|rpm|apk|whl|gem|tgz|zip|tar(?:\.\w+)?)$/i.test(value) || value.startsWith('git+');
}

/** The words after the subcommand that are operands, skipping options and the values of `valueOptions`. */
function operands(args: ShellWord[], from: number, valueOptions: Set<string>): ShellWord[] {
  const found: ShellWord[] = [];
  for (let k = from; k < args.length; k++) {
    const v = args[k].value;
    if (v.startsWith('-')) {
      if (valueOptions.has(v)) k++;
      continue;
    }
    found.push(args[k]);
  }
  return found;
}

const PIP_VALUE_OPTIONS = new Set(['-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--trusted-host', '--platform', '--python-version', '--implementation', '--abi', '--src', '--upgrade-strategy', '--progress-bar', '--no-binary', '--only-binary', '-C', '--config-settings', '--global-option', '--cache-dir', '--report', '--python']);
const NPM_VALUE_OPTIONS = new Set(['--prefix', '--registry', '--cache', '-w', '--workspace', '--omit', '--include', '--userconfig', '--tag']);
const GEM_VALUE_OPTIONS = new Set(['-v', '--version', '-i', '--install-dir', '-n', '--bindir', '-s', '--source', '--platform', '-P', '--trust-policy', '-g', '--file']);

/** pip: a version specifier (`==`, `~=`, `>=`, `<`, …) or a direct reference (`name @ url`) counts, as hadolint counts it. */
const pipPinned = (value: string) => /[=<>~!@]/.test(value);
/** npm: `name@version` (scoped: `@scope/name@version`), a dist-tag like `latest` is not a version. */
const npmPinned = (value: string) => {
  const at = value.lastIndexOf('@');
  return at > 0 && !/^(?:latest|next|\*|x)$/i.test(value.slice(at + 1));
};

interface Unpinned {
  start: number;
  end: number;
  tool: string;
  names: string[];
  refs: References;
}

function unpinnedInstalls(ctx: DockerfileContext): Unpinned[] {
  const found: Unpinned[] = [];
  const add = (tool: string, words: ShellWord[], hadolint: string) => {
    if (words.length) found.push({ start: words[0].start, end: words[words.length - 1].end, tool, names: words.map((w) => w.value), refs: { hadolint: [hadolint] } });
  };
  for (const change of osPackageChanges(ctx)) {
    if (change.action !== 'install') continue;
    // `@group` and `@module:stream` (dnf) are not packages.
    add(`${change.cmd.name} ${change.sub.value}`, change.packages.filter((w) => !notARegistryName(w.value) && !w.value.startsWith('@') && !PINNED[change.manager].test(w.value)), OS_REFS[change.manager]);
  }
  for (const { cmd, args, sub } of pipInstalls(ctx)) {
    // A constraints file pins whatever the command line leaves open.
    if (args.some((w) => /^(?:-c|--constraint)(?:=|$)/.test(w.value))) continue;
    add(`${cmd.name}${cmd.name.startsWith('python') ? ' -m pip' : ''} install`, operands(args, sub.index + 1, PIP_VALUE_OPTIONS).filter((w) => !notARegistryName(w.value) && !pipPinned(w.value)), 'DL3013');
  }
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name !== 'npm' && cmd.name !== 'gem') continue;
    const sub = subcommand(cmd.args, new Set());
    if (cmd.name === 'npm' && /^(?:install|i|add|isntall)$/.test(sub?.word.value ?? '')) {
      add(`npm ${sub!.word.value}`, operands(cmd.args, sub!.index + 1, NPM_VALUE_OPTIONS).filter((w) => !notARegistryName(w.value) && !w.value.includes(':') && !npmPinned(w.value)), 'DL3016');
    } else if (cmd.name === 'gem' && sub?.word.value === 'install' && !cmd.args.some((w) => /^(?:-v|--version)(?:=|$)/.test(w.value))) {
      add('gem install', operands(cmd.args, sub.index + 1, GEM_VALUE_OPTIONS).filter((w) => !notARegistryName(w.value) && !w.value.includes(':')), 'DL3028');
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  return unpinnedInstalls(ctx).map((u) => ({
    message: `${u.tool} without a version for ${u.names.length === 1 ? u.names[0] : `${u.names.length} packages (${u.names.slice(0, 5).join(', ')}${u.names.length > 5 ? ', …' : ''})`}: what gets installed depends on the day of the build`,
    range: { start: u.start, end: u.end },
    refs: u.refs,
    fixes: [],
  }));
}

export default defineRule({
  meta: {
    id: 'package-unpinned',
    title: 'Package installed without a version',
    severity: 'info',
    targets: ['dockerfile'],
    rationale:
      'Without a version, apt, apk, yum, dnf, zypper, pip, npm and gem install whatever their index holds on the day of the build: two builds of the same Dockerfile can differ, a broken or compromised release is picked up silently, and a finding in the image cannot be traced to a change. Many teams accept distribution updates on purpose, hence info; raise it or turn it off in `.bulkhead.yaml` (`rules: { package-unpinned: warning }` or `off`).',
    remediation:
      'Pin versions (`apt-get install curl=8.5.0-2`, `apk add curl=8.9.1-r0`, `dnf install -y httpd-2.4.62`, `pip install flask==3.0.3`, `npm install -g pm2@5.4.2`, `gem install rails -v 7.1.3`), or install from a lock or constraints file (`pip install -r requirements.txt -c constraints.txt`, `npm ci`). No automatic fix: the version to pin comes from the registry.',
    refs: { hadolint: ['DL3008', 'DL3013', 'DL3016', 'DL3018', 'DL3028', 'DL3033', 'DL3037', 'DL3041'] },
    examples: {
      dockerfile: {
        bad: ['FROM python:3.12-slim\nRUN pip install --no-cache-dir flask gunicorn==22.0.0\n', 'FROM alpine:3.20\nRUN apk add --no-cache curl\n'],
        good: ['FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt flask==3.0.3\n', 'FROM alpine:3.20\nRUN apk add --no-cache curl=8.9.1-r0\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
