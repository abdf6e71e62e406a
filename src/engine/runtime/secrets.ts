// The one judgement of "does this variable hold a secret", for every surface: Dockerfile ENV/ARG,
// compose environment and build args, container Config.Env, the hardened command's env, and
// CIS 4.10 over image configs. It returns what kind of credential it saw, never the value.

/** Why a variable holds a credential: its name says so, its value has a credential's shape, or it is a URL with a password. */
export type SecretKind = 'name' | 'value' | 'connection-string';

/** Words that name a secret wherever they end a name: DB_PASSWORD, JWT_SECRET, APP_AUTH. */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY', 'AUTHTOKEN', 'AUTH']);
/** Words before KEY that make it a secret key (GPG_KEY, a public fingerprint, is not one). */
const KEY_QUALIFIERS = new Set(['API', 'ACCESS', 'SECRET', 'PRIVATE', 'ENCRYPTION', 'SIGNING', 'MASTER', 'CLIENT', 'LICENSE', 'AUTH', 'SESSION', 'JWT', 'APP', 'HMAC']);
/** Words that make a name describe a secret (where, how long, who) rather than hold it. */
const EXEMPT_WORDS = new Set(['PUBLIC', 'PUB', 'FILE', 'PATH', 'DIR', 'VERSION', 'VER', 'FINGERPRINT', 'LENGTH', 'MIN', 'MAX', 'POLICY', 'NAME', 'TYPE', 'ENABLED', 'ID', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'USER', 'USERNAME', 'EXPIRY', 'EXPIRES', 'TTL', 'TIMEOUT', 'HEADER', 'PREFIX', 'ALGORITHM', 'SIZE', 'REGION', 'METHOD', 'MODE']);
/** Words after the secret word that still name the secret itself: SECRET_KEY_BASE, PASSWORD_HASH, TOKEN_2. */
const TRAILING_WORDS = new Set(['BASE', 'VALUE', 'HASH', 'B64', 'BASE64', 'ENCODED', 'RAW']);
const KNOWN_NAMES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'NPM_TOKEN', 'PYPI_TOKEN', 'DOCKER_PASSWORD', 'CI_JOB_TOKEN', 'MYSQL_ROOT_PASSWORD', 'POSTGRES_PASSWORD', 'HF_TOKEN']);
/** The shell's working directories, not passwords. */
const SHELL_NAMES = new Set(['PWD', 'OLDPWD']);

/** Values that are credentials whatever they are called. */
const SECRET_VALUES = [/\bAKIA[0-9A-Z]{16}\b/, /\bgh[pousr]_[A-Za-z0-9]{30,}/, /\bgithub_pat_[A-Za-z0-9_]{20,}/, /\bglpat-[A-Za-z0-9_-]{20}/, /\bxox[abprs]-[A-Za-z0-9-]{10,}/, /\bsk_live_[A-Za-z0-9]{16,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];
/** A URL with a literal password: `postgres://app:pw@db`, `redis://:pw@redis`. */
const CONNECTION_STRING = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^@\s/]+)@/i;
/**
 * Values that are clearly not a credential: empty, placeholders, booleans, small numbers,
 * secret-file paths, and the SASL/HTTP mechanism names that `*_AUTH` settings hold.
 */
const NOT_A_SECRET_VALUE = /^(?:|changeme|change-me|change_me|placeholder|x+|\*+|<.*>|none|null|false|true|yes|no|on|off|\d{1,5}|(?:\/var)?\/run\/secrets\/.*|plain|login|basic|bearer|digest|cram-md5|oauth2?)$/i;

function wordsOf(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

/**
 * Whether a variable name says it holds a secret. The secret word must end the name (trailing
 * digits and BASE/HASH-like words aside): `SECRET_FORCED_LANGUAGE` and `AUTH_BACKEND` are settings.
 */
export function isSecretName(name: string): boolean {
  if (KNOWN_NAMES.has(name.toUpperCase())) return true;
  if (SHELL_NAMES.has(name.toUpperCase())) return false;
  const words = wordsOf(name);
  if (words.some((w) => EXEMPT_WORDS.has(w))) return false;
  let end = words.length;
  while (end > 1 && (/^\d+$/.test(words[end - 1]) || TRAILING_WORDS.has(words[end - 1]))) end--;
  const last = words[end - 1];
  if (last === undefined) return false;
  if (SECRET_WORDS.has(last)) return true;
  return last === 'KEY' && end > 1 && KEY_QUALIFIERS.has(words[end - 2]);
}

/**
 * The literal text of a value as the engine will see it, or undefined when it is only a reference
 * filled in later (`${DB_PASSWORD}`, `$TOKEN`). A reference's default is literal text written in
 * the file: `${KEY:-SuperSecret0}` is judged as `SuperSecret0`; `${KEY:?message}` has none.
 */
export function literalValue(value: string): string | undefined {
  const v = value.trim();
  // `${NAME}`, `$NAME`, `${NAME:?message}`: nothing literal; `${NAME:-default}`: the default.
  const whole = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?:(:?[-?])([^}]*))?\}$|^\$[A-Za-z_][A-Za-z0-9_]*$/.exec(v);
  if (whole) return whole[1]?.endsWith('-') ? whole[2] : undefined;
  // Inside a longer value, references with defaults contribute their default.
  return v.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1');
}

/**
 * Whether `name=value` puts a credential into the environment, and why; undefined when not.
 * `value` undefined means "supplied later" (an ARG without a default, `environment: [NAME]`):
 * then the name alone decides, since whatever is passed lands in the image history or config.
 */
export function judgeSecret(name: string, value: string | undefined): SecretKind | undefined {
  if (value === undefined) return isSecretName(name) ? 'name' : undefined;
  const literal = literalValue(value);
  if (literal === undefined) return undefined;
  const password = CONNECTION_STRING.exec(literal)?.[1];
  if (password !== undefined && !password.startsWith('$')) return 'connection-string';
  if (SECRET_VALUES.some((re) => re.test(literal))) return 'value';
  if (isSecretName(name) && !NOT_A_SECRET_VALUE.test(literal.trim())) return 'name';
  return undefined;
}
