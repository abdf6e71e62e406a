import Docker from 'dockerode';

/**
 * The one place Bulkhead reaches a Docker engine. It resolves the engine the way the docker CLI
 * does (owned by the Containers sidebar work, which completes contexts, TLS, ssh and Podman).
 */
export interface EngineTarget {
  /** A DOCKER_HOST-style address: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
  host: string;
  /** Where the address came from, for messages: "DOCKER_HOST", "context foo", "default socket". */
  source: string;
}

export function resolveDefaultEngine(env: NodeJS.ProcessEnv = process.env): EngineTarget {
  if (env.DOCKER_HOST) return { host: env.DOCKER_HOST, source: 'DOCKER_HOST' };
  return { host: 'unix:///var/run/docker.sock', source: 'default socket' };
}

export function createClient(target: EngineTarget): Docker {
  const url = new URL(target.host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: decodeURIComponent(url.pathname) });
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:')
    return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http' });
  throw new Error(`unsupported engine address ${target.host}`);
}
