import type { Property } from 'dockerfile-ast';
import { defineRule, type Report } from '../rule';
import { composeSecretInEnv } from '../compose/shared-checks';
import { containerSecretInEnv } from '../runtime/shared-checks';
import type { DockerfileContext } from '../dockerfile/context';

const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASS', 'PASSPHRASE', 'SECRET', 'TOKEN', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY', 'AUTHTOKEN']);
/** Words before KEY that make it a secret key (GPG_KEY, a public fingerprint, is not one). */
const KEY_QUALIFIERS = new Set(['API', 'ACCESS', 'SECRET', 'PRIVATE', 'ENCRYPTION', 'SIGNING', 'MASTER', 'CLIENT', 'LICENSE', 'AUTH', 'SESSION', 'JWT']);
/** Names that describe where or what a secret is, not the secret itself. */
const EXEMPT_WORDS = new Set(['PUBLIC', 'PUB', 'FILE', 'PATH', 'DIR', 'VERSION', 'VER', 'FINGERPRINT', 'LENGTH', 'MIN', 'MAX', 'POLICY', 'NAME', 'TYPE', 'ENABLED', 'ID', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'USER', 'USERNAME', 'EXPIRY', 'TTL', 'TIMEOUT', 'HEADER', 'PREFIX', 'ALGORITHM', 'SIZE', 'REGION']);
const KNOWN_NAMES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'NPM_TOKEN', 'PYPI_TOKEN', 'DOCKER_PASSWORD', 'CI_JOB_TOKEN', 'MYSQL_ROOT_PASSWORD', 'POSTGRES_PASSWORD', 'HF_TOKEN']);
/** Values that are credentials whatever they are called. */
const SECRET_VALUES = [/\bAKIA[0-9A-Z]{16}\b/, /\bgh[pousr]_[A-Za-z0-9]{30,}/, /\bgithub_pat_[A-Za-z0-9_]{20,}/, /\bglpat-[A-Za-z0-9_-]{20}/, /\bxox[abprs]-[A-Za-z0-9-]{10,}/, /\bsk_live_[A-Za-z0-9]{16,}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /:\/\/[^/\s:@]+:[^/\s@$]+@/];

/** A cheap superset of what secretName and SECRET_VALUES match. */
const MAYBE_SECRET = /pass|secret|token|key|cred|auth|AKIA|gh[pousr]_|github_pat|glpat|xox|sk_live|BEGIN|:\/\/[^\s/@]*@/i;

function wordsOf(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

/** Why a variable name looks like it holds a secret, or undefined. */
export function secretName(name: string): boolean {
  if (KNOWN_NAMES.has(name.toUpperCase())) return true;
  const words = wordsOf(name);
  if (words.some((w) => EXEMPT_WORDS.has(w))) return false;
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  return words.some((w, k) => w === 'KEY' && k > 0 && KEY_QUALIFIERS.has(words[k - 1]));
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const instruction of [...ctx.ofKeyword('ENV'), ...ctx.ofKeyword('ARG')]) {
    const keyword = ctx.keywordOf(instruction);
    // Parsing properties is the costly part: skip instructions with nothing that could match.
    if (!MAYBE_SECRET.test(instruction.getTextContent())) continue;
    const properties = (instruction as unknown as { getProperties(): Property[] }).getProperties();
    for (const p of properties) {
      const name = p.getName();
      const value = p.getValue() ?? '';
      const literal = value !== '' && !/^\$\{?[A-Za-z_]/.test(value);
      const byValue = literal && SECRET_VALUES.some((re) => re.test(value));
      let byName = secretName(name);
      // An empty ENV or one pointing at a mounted file holds nothing secret.
      if (byName && keyword === 'ENV' && (value === '' || /^\/(?:run|var\/run)\/secrets\//.test(value))) byName = false;
      if (!byName && !byValue) continue;
      const range = ctx.rangeOf(p.getRange());
      const where = keyword === 'ENV' ? 'is stored in the image config and visible to every process and `docker inspect`' : 'is recorded in the image history (`docker history`)';
      const what = byValue ? 'holds what looks like a credential' : 'looks like a secret';
      reports.push({
        message: `${keyword} ${name} ${what}: its value ${where}`,
        range,
        severity: keyword === 'ENV' && literal ? 'error' : undefined,
        fixes: [
          {
            title: `Pass ${name} as a build secret (RUN --mount=type=secret) instead`,
            safe: false,
            edits: [],
            snippet: {
              at: ctx.lines.lineStart(instruction.getRange().start.line),
              body: `# \${1:Remove ${keyword} ${name}}; build with: docker build --secret id=${name.toLowerCase()},env=${name} .\nRUN --mount=type=secret,id=${name.toLowerCase()},target=/run/secrets/${name.toLowerCase()} \\\\\n    \${2:command reading /run/secrets/${name.toLowerCase()}}\n`,
            },
          },
        ],
      });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'secret-in-env',
    title: 'Secret in ARG or ENV',
    severity: 'warning',
    targets: ['dockerfile', 'compose', 'container'],
    rationale:
      'ENV values are baked into the image configuration, and ARG values used by a RUN are recorded in the image history: anyone who can pull the image can read them. Build secrets mounted for one RUN never reach a layer.',
    remediation:
      'Remove the secret from ARG/ENV. At build time use `RUN --mount=type=secret,id=…` with `docker build --secret`; at run time pass it from a secret store or a `*_FILE` path.',
    refs: { cis: ['4.10'], trivy: ['DS-0031'] },
  },
  dockerfile: dockerfileCheck,
  compose: composeSecretInEnv,
  container: containerSecretInEnv,
});
