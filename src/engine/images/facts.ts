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

const NON_ROOT_NAMED: { match: (repository: string, tag: string) => boolean; user: string }[] = [
  // Grafana's images run as the grafana user, uid 472 (Grafana's Docker installation docs).
  { match: (r) => /^grafana\/grafana(?:-oss|-enterprise)?$/.test(r), user: '472' },
  // Jupyter Docker Stacks switch to jovyan, NB_UID 1000 (docker-stacks Dockerfiles and docs).
  { match: (r) => /^(?:quay\.io\/)?jupyter\/[a-z0-9-]+$/.test(r), user: '1000' },
  // The official SonarQube image runs as the sonarqube user.
  { match: (r) => r === 'sonarqube', user: 'sonarqube' },
  // SQL Server 2019 and later run as the non-root mssql user (2017 images ran as root).
  { match: (r, t) => r === 'mcr.microsoft.com/mssql/server' && !t.startsWith('2017'), user: 'mssql' },
  // Elastic's images run as elasticsearch, uid 1000, gid 0.
  { match: (r) => r === 'docker.elastic.co/elasticsearch/elasticsearch', user: '1000:0' },
];

const ROOT_OFFICIAL = /^(?:alpine|debian|ubuntu|busybox|fedora|centos|rockylinux|almalinux|amazonlinux|oraclelinux|node|python|golang|ruby|php|openjdk|eclipse-temurin|rust|perl|buildpack-deps|nginx|httpd|postgres|redis|mysql|mariadb|mongo|memcached)$/;

/**
 * Facts Bulkhead knows about well-known public images without pulling them; undefined for
 * anything else. Each entry was checked against the image's public documentation.
 */
export function knownImageFacts(reference: string): BaseImageFacts | undefined {
  const { repository, tag = 'latest' } = repositoryOf(reference);
  if (repository === 'scratch') return { user: '', hasShell: false, httpClients: [], setuidFiles: [], source: 'known image' };
  // Distroless: no shell except the :debug variants (busybox at /busybox/sh); :nonroot runs as 65532.
  if (repository.startsWith('gcr.io/distroless/')) {
    const debug = tag.includes('debug');
    return { user: tag.includes('nonroot') ? '65532' : '', hasShell: debug, shell: debug ? '/busybox/sh' : undefined, source: 'known image' };
  }
  // Chainguard's static image: no shell, runs as nonroot (65532).
  if (repository === 'cgr.dev/chainguard/static') return { user: '65532', hasShell: false, source: 'known image' };
  const named = NON_ROOT_NAMED.find((n) => n.match(repository, tag));
  if (named) return { user: named.user, hasShell: true, source: 'known image' };
  // Docker Official Images of distributions and runtimes set no USER: root, with a shell.
  return ROOT_OFFICIAL.test(repository) ? { user: '', hasShell: true, source: 'known image' } : undefined;
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
