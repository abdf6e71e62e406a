// What a container gets from its engine when nothing is asked for. Rules judge a container
// against the defaults of the engine that runs it: Podman starts with fewer capabilities than
// Docker and sets ulimits of its own, which are not the user's overrides.

export type EngineKind = 'docker' | 'podman';

/** Capabilities granted by default, per engine, without the CAP_ prefix, sorted. */
export const DEFAULT_CAPABILITIES: Record<EngineKind, readonly string[]> = {
  // moby oci/caps/defaults.go
  docker: ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
  // containers.conf default_capabilities of Podman 4.x: no AUDIT_WRITE, MKNOD, NET_RAW.
  podman: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
};

/**
 * Ulimits the engine writes into every container's HostConfig.Ulimits by itself, by name as
 * `ulimit` spells it, with the values it picks. Docker writes none (its daemon defaults are not
 * listed per container); rootful Podman 4.3 lists RLIMIT_NOFILE 1048576 and RLIMIT_NPROC 32768
 * (recorded in test/fixtures/inspect/podman-default.json). The same names with other values come
 * from `--ulimit` and are real overrides.
 */
export const DEFAULT_ULIMITS: Record<EngineKind, Readonly<Record<string, { soft: number; hard: number }>>> = {
  docker: {},
  podman: { nofile: { soft: 1048576, hard: 1048576 }, nproc: { soft: 32768, hard: 32768 } },
};

/** `RLIMIT_NOFILE`, `nofile` → `nofile`. */
export function ulimitName(name: string): string {
  return name.trim().toLowerCase().replace(/^rlimit_/, '');
}
