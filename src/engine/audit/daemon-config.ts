// dockerd's effective configuration: command-line flags plus daemon.json, merged the way dockerd
// merges them (a directive may come from either place; the same directive in both is an error
// dockerd refuses to start with, so we report it instead of picking one).

export type SettingSource = 'flag' | 'daemon.json';
export interface Setting {
  value: unknown;
  source: SettingSource;
}

export interface EffectiveDaemonConfig {
  settings: Map<string, Setting>;
  /** daemon.json parse errors and flag/file conflicts. */
  problems: string[];
  /** The --config-file flag, when given. */
  configFile?: string;
}

// dockerd boolean flags (`--icc` means true, `--icc=false` false); every other flag takes a value.
const BOOLEAN_FLAGS = new Set([
  'icc', 'iptables', 'ip6tables', 'ip-forward', 'ip-masq', 'userland-proxy', 'live-restore', 'no-new-privileges', 'experimental',
  'tls', 'tlsverify', 'debug', 'selinux-enabled', 'rootless', 'raw-logs', 'init', 'ipv6', 'validate',
]);
const SHORT_FLAGS: Record<string, string> = { H: 'host', l: 'log-level', s: 'storage-driver', D: 'debug', G: 'group', p: 'pidfile', b: 'bridge', g: 'data-root' };
// Flag names whose daemon.json key differs (repeatable flags become plural arrays).
const FLAG_TO_KEY: Record<string, string> = {
  host: 'hosts',
  'insecure-registry': 'insecure-registries',
  'storage-opt': 'storage-opts',
  'authorization-plugin': 'authorization-plugins',
  'default-ulimit': 'default-ulimits',
  'log-opt': 'log-opts',
  'registry-mirror': 'registry-mirrors',
  label: 'labels',
  'exec-opt': 'exec-opts',
  'add-runtime': 'runtimes',
  graph: 'data-root',
};
const REPEATABLE = new Set(['hosts', 'insecure-registries', 'storage-opts', 'authorization-plugins', 'default-ulimits', 'log-opts', 'registry-mirrors', 'labels', 'exec-opts', 'dns', 'dns-opt', 'dns-search']);

function parseBool(v: string): boolean | string {
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  return v;
}

/** Parses dockerd's argv (argv[0] is the program). Unknown shapes are kept as strings, never thrown. */
export function parseDockerdFlags(argv: readonly string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    let name: string;
    let value: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      value = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (arg.startsWith('-') && arg.length >= 2) {
      const short = arg[1];
      name = SHORT_FLAGS[short] ?? short;
      const rest = arg.slice(2).replace(/^=/, '');
      value = rest === '' ? undefined : rest;
    } else {
      continue; // dockerd takes no positionals
    }
    if (BOOLEAN_FLAGS.has(name)) {
      out.set(FLAG_TO_KEY[name] ?? name, value === undefined ? true : parseBool(value));
      continue;
    }
    if (value === undefined) value = argv[++i] ?? '';
    const key = FLAG_TO_KEY[name] ?? name;
    if (key === 'log-opts') {
      const eq = value.indexOf('=');
      const prev = (out.get(key) as Record<string, string> | undefined) ?? {};
      out.set(key, { ...prev, [eq === -1 ? value : value.slice(0, eq)]: eq === -1 ? '' : value.slice(eq + 1) });
    } else if (REPEATABLE.has(key)) {
      out.set(key, [...((out.get(key) as string[] | undefined) ?? []), value]);
    } else {
      out.set(key, value);
    }
  }
  return out;
}

/** Merges flags and daemon.json text. Never throws: a broken daemon.json becomes a problem. */
export function effectiveDaemonConfig(cmdline: readonly string[] | undefined, configText: string | undefined): EffectiveDaemonConfig {
  const settings = new Map<string, Setting>();
  const problems: string[] = [];
  const flags = parseDockerdFlags(cmdline ?? []);
  for (const [key, value] of flags) settings.set(key, { value, source: 'flag' });
  const configFile = typeof flags.get('config-file') === 'string' ? (flags.get('config-file') as string) : undefined;
  if (configText !== undefined && configText.trim() !== '') {
    let json: unknown;
    try {
      json = JSON.parse(configText);
    } catch (e) {
      problems.push(`daemon.json is not valid JSON: ${(e as Error).message}`);
    }
    if (json !== undefined && (typeof json !== 'object' || json === null || Array.isArray(json))) problems.push('daemon.json is not a JSON object');
    else if (json) {
      for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
        if (settings.has(key)) {
          problems.push(`"${key}" is set both as a flag and in daemon.json (dockerd refuses to start with this)`);
          continue;
        }
        settings.set(key, { value, source: 'daemon.json' });
      }
    }
  }
  return { settings, problems, configFile };
}

/** `key=value (daemon.json)` for evidence lines. */
export function describeSetting(key: string, s: Setting | undefined): string {
  if (!s) return `${key}: not set (default)`;
  return `${key}=${typeof s.value === 'string' ? s.value : JSON.stringify(s.value)} (${s.source === 'flag' ? 'dockerd flag' : 'daemon.json'})`;
}
