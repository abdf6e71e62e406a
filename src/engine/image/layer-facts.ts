// Turns the entries of each layer tar into facts (no contents kept), then resolves the layers in
// order: whiteouts and later copies of the same path decide what the final filesystem holds, while
// secrets stay reported for every layer that still carries their bytes.
import type { Account, Accounts, Group, ImageFiles, LayerPlace, Leftover, LeftoverKind, SecretFile, SecretFileKind, SpecialBitFile, WorldWritable } from './context';

/** One tar entry as the adapter's tar parser saw it. */
export interface LayerEntry {
  /** As in the tar (`./etc/passwd`, `etc/passwd`, `usr/bin/`). */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

const ACCOUNT_FILE_BYTES = 1024 * 1024;
export const SECRET_SNIFF_BYTES = 64 * 1024;
const LEFTOVER_SAMPLES = 16;

/** `./a/b/` → `/a/b`. */
function normalizeEntryPath(name: string): string {
  const p = ('/' + name.replace(/^\.?\/+/, '').replace(/^\.$/, '')).replace(/\/+/g, '/');
  return p.length > 1 ? p.replace(/\/$/, '') : p;
}

/** A 53-bit string hash: a layer remembers every path it holds without keeping the strings. */
function hashPath(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/** Secret-looking files by path, each with the content test that confirms it (contents are never kept). */
const SECRET_FILES: { kind: SecretFileKind; path: RegExp; confirm: RegExp }[] = [
  { kind: 'private-key', path: /\/(?:id_(?:rsa|dsa|ecdsa|ed25519)|[^/]+\.(?:pem|key|p8))$/, confirm: PRIVATE_KEY },
  { kind: 'dotenv', path: /\/\.env(?:\.(?!example$|sample$|template$|dist$)[^/]+)?$/, confirm: /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*\S/m },
  { kind: 'npm-token', path: /\/\.npmrc$/, confirm: /(?:_authToken|_auth|_password)\s*=\s*\S/ },
  { kind: 'pypi-credentials', path: /\/\.pypirc$/, confirm: /^\s*password\s*[=:]\s*\S/m },
  { kind: 'git-credentials', path: /\/\.git-credentials$/, confirm: /:\/\/[^:\s/]+:[^@\s]+@/ },
  { kind: 'aws-credentials', path: /\/\.aws\/credentials$/, confirm: /aws_secret_access_key\s*=\s*\S/i },
  { kind: 'docker-auth', path: /\/\.docker\/config\.json$/, confirm: /"auth"\s*:\s*"[^"]+"/ },
  { kind: 'netrc', path: /\/[._]netrc$/, confirm: /\bpassword\s+\S/ },
  { kind: 'pgpass', path: /\/\.pgpass$/, confirm: /\S/ },
];

/**
 * Whether a file's path (absolute, `/`-separated) names a kind of secret file. One judgement for
 * image layers and for a Dockerfile's build context.
 */
export function maybeSecretFile(path: string): boolean {
  return SECRET_FILES.some((s) => s.path.test(path));
}

/** The kind of secret a file holds, judged from its path and its first SECRET_SNIFF_BYTES. */
export function secretFileKind(path: string, head: string): SecretFileKind | undefined {
  return SECRET_FILES.find((s) => s.path.test(path) && s.confirm.test(head))?.kind;
}

const LEFTOVERS: { kind: LeftoverKind; root: RegExp }[] = [
  { kind: 'apt-lists', root: /^(\/var\/lib\/apt\/lists)\/(?!lock$|partial(?:\/|$)|auxfiles(?:\/|$))/ },
  { kind: 'apt-archives', root: /^(\/var\/cache\/apt\/archives)\/[^/]+\.deb$/ },
  { kind: 'apk-cache', root: /^(\/(?:var\/cache\/apk|etc\/apk\/cache))\/[^/]+$/ },
  { kind: 'pip-cache', root: /^(\/(?:root|home\/[^/]+)\/\.cache\/pip)\// },
  { kind: 'npm-cache', root: /^(\/(?:root|home\/[^/]+)\/\.npm\/_cacache)\// },
  { kind: 'yum-cache', root: /^(\/var\/cache\/yum)\/.+\.(?:rpm|sqlite|xml\.gz|solv)/ },
  { kind: 'dnf-cache', root: /^(\/var\/cache\/dnf)\/.+\.(?:rpm|sqlite|xml\.gz|solv)/ },
  { kind: 'git', root: /^((?:\/[^/]+)*?\/\.git)\// },
];

/** Paths whose presence fixes and rules depend on. */
const TOOL_PATHS = ['/bin/sh', '/bin/find', '/usr/bin/find', '/bin/chmod', '/usr/bin/chmod', '/bin/sudo', '/usr/bin/sudo', '/usr/sbin/sudo'];

interface RawPasswd {
  name: string;
  uid?: number;
  gid?: number;
  field: Account['password'];
}

/** What one layer holds, before the layers above it are known. */
export class LayerFacts {
  private readonly paths = new Set<number>();
  readonly whiteouts = new Set<string>();
  readonly opaque = new Set<string>();
  readonly specialBits: Omit<SpecialBitFile, 'layer'>[] = [];
  readonly secrets: Omit<SecretFile, 'layer'>[] = [];
  readonly worldWritable: Omit<WorldWritable, 'layer'>[] = [];
  readonly leftovers = new Map<string, { kind: LeftoverKind; files: number; bytes: number; samples: string[] }>();
  readonly tools: string[] = [];
  passwd?: RawPasswd[];
  shadow?: Map<string, Account['password']>;
  group?: Group[];

  has(path: string): boolean {
    return this.paths.has(hashPath(path));
  }

  /**
   * Records an entry. Returns how many bytes of its content the scanner wants to see (0: none);
   * the adapter then calls `content()` with at most that many bytes.
   */
  entry(e: LayerEntry): number {
    const path = normalizeEntryPath(e.name);
    const slash = path.lastIndexOf('/');
    const base = path.slice(slash + 1);
    if (base.startsWith('.wh.')) {
      const dir = path.slice(0, slash) || '/';
      if (base === '.wh..wh..opq') this.opaque.add(dir);
      else this.whiteouts.add(`${dir === '/' ? '' : dir}/${base.slice(4)}`);
      return 0;
    }
    this.paths.add(hashPath(path));
    if (TOOL_PATHS.includes(path)) this.tools.push(path);
    if (e.type === 'file' && e.mode & 0o6000) this.specialBits.push({ path, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid });
    if ((e.type === 'file' || e.type === 'directory') && e.mode & 0o002 && !/^\/(?:var\/)?tmp(?:\/|$)/.test(path)) {
      this.worldWritable.push({ path, type: e.type, mode: e.mode & 0o7777 });
    }
    if (e.type !== 'file') return 0;
    for (const l of LEFTOVERS) {
      const m = l.root.exec(path);
      if (!m) continue;
      const key = `${l.kind}\0${m[1]}`;
      const entry = this.leftovers.get(key) ?? { kind: l.kind, files: 0, bytes: 0, samples: [] };
      entry.files++;
      entry.bytes += e.size;
      if (entry.samples.length < LEFTOVER_SAMPLES) entry.samples.push(path);
      this.leftovers.set(key, entry);
      break;
    }
    if (path === '/etc/passwd' || path === '/etc/shadow' || path === '/etc/group') return Math.min(e.size, ACCOUNT_FILE_BYTES);
    if (e.size > 0 && maybeSecretFile(path)) return Math.min(e.size, SECRET_SNIFF_BYTES);
    return 0;
  }

  /** The first bytes of a file `entry()` asked for; only facts are derived, the text is dropped. */
  content(name: string, bytes: Uint8Array): void {
    const path = normalizeEntryPath(name);
    const text = latin1(bytes);
    if (path === '/etc/passwd') this.passwd = parsePasswd(text);
    else if (path === '/etc/shadow') this.shadow = parseShadow(text);
    else if (path === '/etc/group') this.group = parseGroup(text);
    else {
      const kind = secretFileKind(path, text);
      if (kind) this.secrets.push({ path, kind });
    }
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

function fields(text: string): string[][] {
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split(':'));
}

function numberOrUndefined(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}

function parsePasswd(text: string): RawPasswd[] {
  return fields(text).map(([name, field = '', uid, gid]) => ({ name, field: passwordState(field), uid: numberOrUndefined(uid), gid: numberOrUndefined(gid) }));
}

function parseShadow(text: string): Map<string, Account['password']> {
  return new Map(fields(text).map(([name, field = '']) => [name, passwordState(field)]));
}

function parseGroup(text: string): Group[] {
  return fields(text).flatMap(([name, , gid]) => (numberOrUndefined(gid) === undefined ? [] : [{ name, gid: Number(gid) }]));
}

/** Only the state of a password field is kept, never the hash. */
function passwordState(field: string): Account['password'] {
  if (field === '') return 'empty';
  if (field === 'x') return 'shadowed';
  if (/^[!*]/.test(field)) return 'locked';
  return 'set';
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) out.push(path.slice(0, i));
  out.push('/');
  return out;
}

/** The first layer above `layer` (1-based) that deletes or replaces `path`. */
function goneAbove(layers: readonly LayerFacts[], layer: number, path: string): Pick<LayerPlace, 'goneIn' | 'gone'> {
  const up = ancestors(path);
  for (let k = layer; k < layers.length; k++) {
    const l = layers[k];
    if (l.whiteouts.has(path) || up.some((a) => l.whiteouts.has(a) || l.opaque.has(a))) return { goneIn: k + 1, gone: 'deleted' };
    if (l.has(path)) return { goneIn: k + 1, gone: 'replaced' };
  }
  return {};
}

/** Resolves per-layer facts (lowest layer first) into what the image holds. */
export function resolveLayers(layers: readonly LayerFacts[]): ImageFiles {
  const place = <T extends { path: string }>(fact: T, index: number): T & LayerPlace => ({ ...fact, layer: index + 1, ...goneAbove(layers, index + 1, fact.path) });
  const all = <T extends { path: string }>(pick: (l: LayerFacts) => readonly T[]) => layers.flatMap((l, k) => pick(l).map((f) => place(f, k)));
  const final = <T extends LayerPlace>(facts: T[]) => facts.filter((f) => f.goneIn === undefined);

  const leftovers: Leftover[] = [];
  layers.forEach((l, k) => {
    for (const [key, v] of l.leftovers) {
      // A cache left behind is one whose files survive; a later `rm -rf` whites them out.
      const surviving = v.samples.filter((s) => goneAbove(layers, k + 1, s).goneIn === undefined);
      if (surviving.length) leftovers.push({ path: key.split('\0')[1], kind: v.kind, files: v.files, bytes: v.bytes, layer: k + 1 });
    }
  });

  const tools: Record<string, LayerPlace> = {};
  for (const t of final(all((l) => l.tools.map((path) => ({ path }))))) tools[t.path] = t;

  return {
    specialBits: final(all((l) => l.specialBits)),
    secrets: all((l) => l.secrets),
    worldWritable: final(all((l) => l.worldWritable)),
    leftovers,
    accounts: resolveAccounts(layers),
    tools,
  };
}

function lastSurviving<K extends 'passwd' | 'shadow' | 'group'>(layers: readonly LayerFacts[], key: K, path: string): { layer: number; value: NonNullable<LayerFacts[K]> } | undefined {
  for (let k = layers.length - 1; k >= 0; k--) {
    const value = layers[k][key];
    if (value && goneAbove(layers, k + 1, path).goneIn === undefined) return { layer: k + 1, value: value };
    if (layers[k].has(path) || layers[k].whiteouts.has(path)) return undefined;
  }
  return undefined;
}

function resolveAccounts(layers: readonly LayerFacts[]): Accounts {
  const passwd = lastSurviving(layers, 'passwd', '/etc/passwd');
  const shadow = lastSurviving(layers, 'shadow', '/etc/shadow');
  const group = lastSurviving(layers, 'group', '/etc/group');
  const users: Account[] = (passwd?.value ?? []).map((u) => {
    // An empty passwd field means no password at all: login never consults /etc/shadow then.
    const fromShadow = u.field === 'shadowed' && shadow?.value.has(u.name);
    return { name: u.name, uid: u.uid, gid: u.gid, password: fromShadow ? shadow!.value.get(u.name)! : u.field, passwordFrom: fromShadow ? 'shadow' : 'passwd' };
  });
  return { passwdLayer: passwd?.layer, shadowLayer: shadow?.layer, groupLayer: group?.layer, users, groups: group?.value ?? [] };
}
