import type { Property } from 'dockerfile-ast';
import type { Fix, TextEdit } from '../model';
import { defineRule, type Report } from '../rule';
import { removeInstructionEdit, type DockerfileContext } from '../dockerfile/context';
import { runCommands, unwrapSudo, type RunCommand } from '../dockerfile/run';
import { removeWordEdit, type ShellWord } from '../dockerfile/shell';

/** Long flags that turn TLS or signature verification off, per program. */
const FLAGS: Record<string, string[]> = {
  curl: ['--insecure', '--proxy-insecure'],
  wget: ['--no-check-certificate'],
  apk: ['--allow-untrusted'],
  'apt-get': ['--allow-unauthenticated', '--allow-insecure-repositories', '--force-yes'],
  apt: ['--allow-unauthenticated', '--allow-insecure-repositories', '--force-yes'],
  yum: ['--nogpgcheck'],
  dnf: ['--nogpgcheck'],
  microdnf: ['--nogpgcheck'],
  tdnf: ['--nogpgcheck'],
  zypper: ['--no-gpg-checks'],
  rpm: ['--nosignature', '--nodigest'],
};
/** Flags taking a value (as a separate word or after `=`) that disable checks for a host. */
const VALUE_FLAGS: Record<string, string[]> = { pip: ['--trusted-host'], pip3: ['--trusted-host'] };
/** curl short options that consume the rest of a cluster or the next word as their value. */
const CURL_VALUE_SHORTS = 'bcdeEFHKmoPQrtTuUwxXyYzA';

/** Environment variables (ENV/ARG or a command prefix) that disable verification, with the values that do. */
const VARIABLES: Record<string, RegExp> = {
  NODE_TLS_REJECT_UNAUTHORIZED: /^0$/,
  GIT_SSL_NO_VERIFY: /^(?!0$|false$).+/i,
  PYTHONHTTPSVERIFY: /^0$/,
  NPM_CONFIG_STRICT_SSL: /^(?:false|0)$/i,
  PIP_TRUSTED_HOST: /.+/,
};

/** Programs whose arguments are looked at. */
const INSPECTED = new Set([...Object.keys(FLAGS), ...Object.keys(VALUE_FLAGS), 'pip', 'git', 'yum', 'dnf', 'microdnf', 'tdnf']);

const MESSAGE = 'disables TLS or signature verification: a network attacker or a compromised mirror can inject code into the image';

/**
 * Removing the flag turns verification back on: where the build needed it (a self-signed mirror,
 * an unsigned package), the build then fails. That is never proven safe.
 */
function removal(flag: string, edits: TextEdit[], runtime = false): Fix {
  const consequence = runtime
    ? 'the build and the running container verify certificates again: they fail where a server or mirror does not present a valid one'
    : 'the build verifies again: it fails where the server, mirror or package does not pass verification';
  return { title: `Remove ${flag} (${consequence})`, safe: false, preferred: true, edits };
}

/** Commands that verify a downloaded file: signatures and checksum lists. */
function verifies(cmd: RunCommand): boolean {
  const args = cmd.args.map((w) => w.value);
  if (cmd.name === 'gpg' || cmd.name === 'gpg2') return args.includes('--verify');
  if (cmd.name === 'gpgv' || cmd.name === 'cosign' || cmd.name === 'minisign' || cmd.name === 'signify') return true;
  if (/^(?:sha(?:1|224|256|384|512)|md5|b2)sum$/.test(cmd.name) || cmd.name === 'shasum') return args.some((a) => /^-[a-z]*c$/.test(a) || a === '--check');
  if (cmd.name === 'openssl') return args.some((a) => a === '-verify' || a === '-prverify');
  return false;
}

/**
 * `apk add --allow-untrusted /tmp/pkg.apk` after the Dockerfile itself verified that file (gpg
 * --verify, a checksum list, cosign): the flag only skips apk's own signature check of a package
 * already checked. Every local package of the command must have been named by a verification in
 * the same stage before it (in the verifier's words or in what was piped into it).
 */
function verifiedLocally(ctx: DockerfileContext, raw: RunCommand, args: ShellWord[]): boolean {
  const packages = args.filter((w) => /\.apk$/.test(w.value)).map((w) => w.value.slice(w.value.lastIndexOf('/') + 1));
  if (!packages.length || packages.length !== args.filter((w) => !w.value.startsWith('-') && w.value !== 'add').length) return false;
  const stage = ctx.stageOf(raw.instruction);
  const before = runCommands(ctx).filter((c) => ctx.stageOf(c.instruction) === stage && (c.instruction === raw.instruction ? c.index < raw.index : c.nameWord.start < raw.nameWord.start));
  const named = new Set<string>();
  before.forEach((c, k) => {
    if (!verifies(unwrapSudo(c))) return;
    // The verifier's words and those of the commands piped into it (`echo "sum  pkg.apk" | sha256sum -c -`).
    for (let j = k; j >= 0 && (j === k || before[j].command.pipedTo); j--) {
      for (const w of before[j].command.words) for (const p of packages) if (w.value.includes(p)) named.add(p);
    }
  });
  return packages.every((p) => named.has(p));
}

/** The `k` of a curl short-option cluster like `-fsSLk`, if present before a value-taking option. */
function curlInsecureCluster(word: ShellWord): number | undefined {
  const v = word.value;
  if (!/^-[A-Za-z0-9#:]+$/.test(v) || v.startsWith('--')) return undefined;
  for (let k = 1; k < v.length; k++) {
    if (v[k] === 'k') return k;
    if (CURL_VALUE_SHORTS.includes(v[k])) return undefined;
  }
  return undefined;
}

function flagReports(ctx: DockerfileContext, raw: RunCommand): Report[] {
  let cmd = unwrapSudo(raw);
  // `python3 -m pip install …` is pip.
  if (/^python[\d.]*$/.test(cmd.name) && cmd.args[0]?.value === '-m' && cmd.args[1]?.value === 'pip') cmd = { ...cmd, name: 'pip', nameWord: cmd.args[1], args: cmd.args.slice(2) };
  const name = /^pip\d*(?:\.\d+)?$/.test(cmd.name) ? 'pip' : cmd.name;
  const reports: Report[] = [];
  const fix = (word: ShellWord, edits: TextEdit[]): Fix => removal(word.value.split('=')[0], edits);
  // Most commands are none of these programs: skip their arguments cheaply.
  if (INSPECTED.has(name)) cmd.args.forEach((word, k) => {
    const flag = word.value.split('=')[0];
    if (FLAGS[name]?.includes(word.value)) {
      if (word.value === '--allow-untrusted' && verifiedLocally(ctx, raw, cmd.args)) return;
      reports.push({ message: `${name} ${word.value} ${MESSAGE}`, range: { start: word.start, end: word.end }, fixes: [fix(word, [removeWordEdit(ctx.text, word)])] });
    } else if ((VALUE_FLAGS[name] ?? VALUE_FLAGS[cmd.name])?.includes(flag)) {
      const value = word.value.includes('=') ? undefined : cmd.args[k + 1];
      const edits = [removeWordEdit(ctx.text, word), ...(value ? [removeWordEdit(ctx.text, value)] : [])];
      reports.push({ message: `${name} ${flag} ${MESSAGE}`, range: { start: word.start, end: value?.end ?? word.end }, fixes: [fix(word, edits)] });
    } else if (name === 'curl') {
      const at = curlInsecureCluster(word);
      // Exec-form strings carry their quotes in the text.
      const quote = word.json ? 1 : 0;
      if (at === undefined || word.end - word.start - 2 * quote !== word.value.length) return;
      const rest = word.value.slice(0, at) + word.value.slice(at + 1);
      const edit = rest === '-' ? removeWordEdit(ctx.text, word) : { start: word.start + quote, end: word.end - quote, newText: rest };
      reports.push({ message: `curl -k ${MESSAGE}`, range: { start: word.start, end: word.end }, fixes: [removal('-k', [edit])] });
    } else if (/^(?:yum|dnf|microdnf|tdnf)$/.test(name) && /^--setopt=(?:[\w.-]+\.)?sslverify=(?:false|0|no)$/i.test(word.value)) {
      reports.push({ message: `${name} sslverify off ${MESSAGE}`, range: { start: word.start, end: word.end }, fixes: [fix(word, [removeWordEdit(ctx.text, word)])] });
    } else if (name === 'git' && /^http\.sslverify=false$/i.test(word.value) && cmd.args[k - 1]?.value === '-c') {
      reports.push({ message: `git -c http.sslVerify=false ${MESSAGE}`, range: { start: cmd.args[k - 1].start, end: word.end }, fixes: [fix(cmd.args[k - 1], [removeWordEdit(ctx.text, cmd.args[k - 1]), removeWordEdit(ctx.text, word)])] });
    }
  });
  // `npm config set strict-ssl false`, `git config --global http.sslVerify false`
  const values = name === 'npm' || name === 'yarn' || name === 'git' ? cmd.args.map((w) => w.value.toLowerCase()) : [];
  if ((name === 'npm' || name === 'yarn') && values.includes('strict-ssl') && /^(?:false|0)$/.test(values[values.indexOf('strict-ssl') + 1] ?? '')) {
    reports.push({ message: `${name} strict-ssl false ${MESSAGE}`, range: { start: cmd.nameWord.start, end: cmd.args[cmd.args.length - 1].end }, fixes: [] });
  }
  if (name === 'git' && values[0] === 'config' && values.includes('http.sslverify') && /^(?:false|0)$/.test(values[values.indexOf('http.sslverify') + 1] ?? '')) {
    reports.push({ message: `git http.sslVerify false ${MESSAGE}`, range: { start: cmd.nameWord.start, end: cmd.args[cmd.args.length - 1].end }, fixes: [] });
  }
  // Assignments before the command: `NODE_TLS_REJECT_UNAUTHORIZED=0 npm install`.
  const prefix = raw.command.words.indexOf(raw.nameWord);
  for (const word of prefix > 0 ? raw.command.words.slice(0, prefix) : []) {
    const [variable, ...rest] = word.value.split('=');
    if (VARIABLES[variable]?.test(rest.join('='))) {
      reports.push({ message: `${variable} ${MESSAGE}`, range: { start: word.start, end: word.end }, fixes: [fix(word, [removeWordEdit(ctx.text, word)])] });
    }
  }
  return reports;
}

const MAYBE_VARIABLE = new RegExp(Object.keys(VARIABLES).join('|'));

function variableReports(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const instruction of [...ctx.ofKeyword('ENV'), ...ctx.ofKeyword('ARG')]) {
    const keyword = ctx.keywordOf(instruction);
    if (!MAYBE_VARIABLE.test(instruction.getTextContent())) continue;
    const properties = (instruction as unknown as { getProperties(): Property[] }).getProperties();
    for (const p of properties) {
      const test = VARIABLES[p.getName()];
      const value = p.getValue();
      if (!test || value === null || !test.test(value)) continue;
      const range = ctx.rangeOf(p.getRange());
      const edit = properties.length === 1 ? removeInstructionEdit(ctx, instruction) : removeWordEdit(ctx.text, { value: '', ...range });
      reports.push({
        message: `${keyword} ${p.getName()} ${MESSAGE}`,
        range,
        // ENV also applies at run time: the application would start verifying certificates.
        fixes: [removal(p.getName(), [edit], keyword === 'ENV')],
      });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'verification-disabled',
    title: 'TLS or signature verification disabled',
    severity: 'error',
    targets: ['dockerfile'],
    rationale:
      'Flags such as `curl -k`, `wget --no-check-certificate`, `pip --trusted-host`, `apk --allow-untrusted`, `apt-get --allow-unauthenticated` or `--nogpgcheck`, and variables such as `NODE_TLS_REJECT_UNAUTHORIZED=0` or `GIT_SSL_NO_VERIFY`, accept whatever a man-in-the-middle or a compromised mirror serves. The result is baked into every container started from the image.',
    remediation:
      'Remove the flag or variable. If a private mirror uses its own CA, install that CA certificate in the image (update-ca-certificates) instead of turning verification off. The fix (removal) is unsafe: the build, and for ENV the container, then fail wherever verification does not pass. `apk add --allow-untrusted` of a local package that the Dockerfile verified first (gpg --verify, a checksum list, cosign) is not reported.',
    refs: {
      checkov: ['CKV2_DOCKER_2', 'CKV2_DOCKER_3', 'CKV2_DOCKER_4', 'CKV2_DOCKER_5', 'CKV2_DOCKER_6', 'CKV2_DOCKER_7', 'CKV2_DOCKER_8', 'CKV2_DOCKER_9', 'CKV2_DOCKER_10', 'CKV2_DOCKER_11', 'CKV2_DOCKER_12', 'CKV2_DOCKER_13', 'CKV2_DOCKER_14', 'CKV2_DOCKER_15', 'CKV2_DOCKER_16'],
    },
  },
  dockerfile(ctx) {
    return [...runCommands(ctx).flatMap((cmd) => flagReports(ctx, cmd)), ...variableReports(ctx)];
  },
});
