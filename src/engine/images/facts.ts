import { createDockerfileContext, splitReference } from '../dockerfile/context';

/**
 * What is known about a base image before building on it: the user it runs as, whether it has a
 * shell, which HTTP clients and setuid/setgid files it ships. Undefined fields are unknown.
 */
export interface BaseImageFacts {
  /** Config.User as the image declares it (`''` = root). */
  user?: string;
  hasShell?: boolean;
  /** The shell's path when known (`/bin/sh`). */
  shell?: string;
  /** HTTP clients present (`wget`, `curl`). */
  httpClients?: string[];
  /** Paths of setuid/setgid files; `[]` means the image was searched and has none. */
  setuidFiles?: string[];
  /** Whether the image defines a HEALTHCHECK (Config.Healthcheck, `NONE` counting as none). */
  healthcheck?: boolean;
  /** Whether its default command is an interactive shell or a REPL: nothing runs that a health probe could ask. */
  interactive?: boolean;
  /** Where the facts come from: the local engine's copy of the image, or Bulkhead's table. */
  source: 'local image' | 'known image';
}

/** Answers facts about an image reference, or undefined when it cannot tell (image not present). */
export type BaseImageLookup = (reference: string) => BaseImageFacts | undefined;

/** `docker.io/library/redis` and `redis` are the same repository. */
function repositoryOf(reference: string): { repository: string; tag?: string } {
  const { name, tag } = splitReference(reference.trim());
  const repository = name.toLowerCase().replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
  return { repository, tag: tag?.toLowerCase() };
}

/**
 * Well-known images, each entry checked against the image's public Dockerfile or documentation.
 * Columns (absent = unknown): `user` is Config.User ('' = root); `healthcheck` whether the image
 * defines a HEALTHCHECK; `interactive` whether its default command is an interactive shell or a
 * REPL (an OS or language-runtime image: nothing runs that a probe could ask).
 */
const KNOWN_IMAGES: { match: (repository: string, tag: string) => boolean; user?: string; healthcheck?: boolean; interactive?: boolean }[] = [
  // Grafana's images run as the grafana user, uid 472 (Grafana's Docker installation docs).
  { match: (r) => /^grafana\/grafana(?:-oss|-enterprise)?$/.test(r), user: '472' },
  // Jupyter Docker Stacks switch to jovyan, NB_UID 1000; base-notebook and every image built on it
  // define a HEALTHCHECK (docker_healthcheck.py), the foundation image below it does not.
  { match: (r) => /^(?:quay\.io\/)?jupyter\/docker-stacks-foundation$/.test(r), user: '1000', healthcheck: false },
  { match: (r) => /^(?:quay\.io\/)?jupyter\/[a-z0-9-]+$/.test(r), user: '1000', healthcheck: true },
  // The official SonarQube image runs as the sonarqube user.
  { match: (r) => r === 'sonarqube', user: 'sonarqube' },
  // SQL Server 2019 and later run as the non-root mssql user (2017 images ran as root).
  { match: (r, t) => r === 'mcr.microsoft.com/mssql/server' && !t.startsWith('2017'), user: 'mssql' },
  // Elastic's images (docker.elastic.co and the Docker Hub copies) run as uid 1000, gid 0, no HEALTHCHECK.
  { match: (r) => /^(?:docker\.elastic\.co\/(?:elasticsearch|logstash|kibana)\/)?(?:elasticsearch|logstash|kibana)$/.test(r), user: '1000:0', healthcheck: false },
  // Redpanda's image runs as the redpanda user (uid 101).
  { match: (r) => /^(?:docker\.redpanda\.com\/)?(?:vectorized|redpandadata)\/redpanda$/.test(r), user: '101' },
  // pgAdmin 4 runs as the pgadmin user, uid 5050.
  { match: (r) => r === 'dpage/pgadmin4', user: '5050' },
  // Images from oracle/docker-images' OracleDatabase/SingleInstance: USER oracle (except the 11.2.0.2
  // and 18.4.0 XE images, which run as root) and a HEALTHCHECK running checkDBStatus.sh.
  { match: (r, t) => r === 'oracle/database' && /^(?:11\.2\.0\.2|18\.4\.0)/.test(t), user: '', healthcheck: true },
  { match: (r, t) => r === 'oracle/database' && /^\d/.test(t), user: 'oracle', healthcheck: true },
  { match: (r) => r === 'oracle/database', healthcheck: true },
  // itzg/minecraft-server defines a HEALTHCHECK (mc-health).
  { match: (r) => r === 'itzg/minecraft-server', healthcheck: true },
  // Dev Container images are development environments, never run as a service.
  { match: (r) => r.startsWith('mcr.microsoft.com/devcontainers/'), interactive: true },
  // Docker Official Images set no USER and no HEALTHCHECK (deployments add their own). Distributions
  // default to a shell; language runtimes to a REPL or a shell (php's cli tags: `php -a`).
  { match: (r) => /^(?:alpine|debian|ubuntu|busybox|fedora|centos|rockylinux|almalinux|amazonlinux|oraclelinux|ghcr\.io\/oracle\/oraclelinux)$/.test(r), user: '', healthcheck: false, interactive: true },
  { match: (r) => /^(?:node|python|golang|ruby|openjdk|eclipse-temurin|rust|perl|buildpack-deps)$/.test(r), user: '', healthcheck: false, interactive: true },
  { match: (r, t) => r === 'php' && /fpm|apache/.test(t), user: '', healthcheck: false, interactive: false },
  { match: (r) => r === 'php', user: '', healthcheck: false, interactive: true },
  { match: (r) => /^(?:nginx|httpd|postgres|redis|mysql|mariadb|mongo|memcached)$/.test(r), user: '', healthcheck: false, interactive: false },
];

/**
 * Facts Bulkhead knows about well-known public images without pulling them; undefined for
 * anything else.
 */
export function knownImageFacts(reference: string): BaseImageFacts | undefined {
  const { repository, tag = 'latest' } = repositoryOf(reference);
  if (repository === 'scratch') return { user: '', hasShell: false, httpClients: [], setuidFiles: [], healthcheck: false, source: 'known image' };
  // Distroless: no shell except the :debug variants (busybox at /busybox/sh); :nonroot runs as 65532.
  if (repository.startsWith('gcr.io/distroless/')) {
    const debug = tag.includes('debug');
    return { user: tag.includes('nonroot') ? '65532' : '', hasShell: debug, shell: debug ? '/busybox/sh' : undefined, source: 'known image' };
  }
  // Chainguard's static image: no shell, runs as nonroot (65532).
  if (repository === 'cgr.dev/chainguard/static') return { user: '65532', hasShell: false, source: 'known image' };
  const known = KNOWN_IMAGES.find((n) => n.match(repository, tag));
  if (!known) return undefined;
  const { user, healthcheck, interactive } = known;
  return { user, healthcheck, interactive, hasShell: true, source: 'known image' };
}

/**
 * knownImageFacts for a compose `image:` value: interpolation defaults (`${IMAGE:-oracle/database:19.3.0-ee}`)
 * are what compose uses when the variable is unset, and a registry or tag left to a variable
 * (`${REGISTRY}/oracle/database:${VERSION}`) still names the same repository. Undefined when
 * the repository itself is not written.
 */
export function knownComposeImageFacts(image: string): BaseImageFacts | undefined {
  const reference = image
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}$]*)\}/g, '$1')
    .replace(/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?\//, '')
    .replace(/:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/, '');
  return reference.includes('$') ? undefined : knownImageFacts(reference);
}

/** The local engine's copy of the image first (it is what the build uses), else the table. */
export function baseImageFacts(reference: string, lookup: BaseImageLookup | undefined): BaseImageFacts | undefined {
  return lookup?.(reference) ?? knownImageFacts(reference);
}

/** `the local image's config` / `Bulkhead's table of well-known images`, for messages and fix titles. */
export function describeSource(facts: BaseImageFacts): string {
  return facts.source === 'local image' ? "the local image's config" : "Bulkhead's table of well-known images";
}

/** The external images a Dockerfile builds on (ARG defaults applied; scratch and stages left out). */
export function dockerfileBaseReferences(text: string): string[] {
  const refs = createDockerfileContext(text).stages.filter((s) => !s.image.scratch && !s.image.stage && s.image.resolved && s.image.name).map((s) => s.image.reference);
  return [...new Set(refs)];
}
