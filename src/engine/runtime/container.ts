import type { EngineKind } from './engine-defaults';

/** What a container rule may look at: the engine's inspect data of one container. */
export interface ContainerContext {
  /** `docker inspect` JSON of the container (Engine API ContainerInspect). */
  inspect: ContainerInspect;
  /** The engine that runs it, whose defaults (capabilities, ulimits) are not findings; 'docker' when unknown. */
  engineKind?: EngineKind;
}

/** The subset of Engine API ContainerInspect the rules read; recorded fixtures satisfy it. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  State?: { Status?: string; Running?: boolean; Pid?: number };
  Config?: {
    Image?: string;
    User?: string;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    Healthcheck?: { Test?: string[] } | null;
    ExposedPorts?: Record<string, unknown> | null;
    Entrypoint?: string[] | string | null;
    Cmd?: string[] | string | null;
    WorkingDir?: string;
  };
  HostConfig?: Record<string, unknown> & {
    Privileged?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    ReadonlyRootfs?: boolean;
    NetworkMode?: string;
    PidMode?: string;
    IpcMode?: string;
    UTSMode?: string;
    UsernsMode?: string;
    Binds?: string[] | null;
    Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] | null;
    Memory?: number;
    NanoCpus?: number;
    CpuQuota?: number;
    CpuShares?: number;
    PidsLimit?: number | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    CgroupParent?: string;
  };
  Mounts?: { Type?: string; Name?: string; Source?: string; Destination?: string; RW?: boolean; Propagation?: string; Mode?: string }[];
  AppArmorProfile?: string;
  NetworkSettings?: { Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null; Networks?: Record<string, unknown> };
}

/** Fields of HostConfig the rules read beyond the typed ones above. */
export interface HostConfigExtras {
  LogConfig?: { Type?: string; Config?: Record<string, string> } | null;
  Tmpfs?: Record<string, string> | null;
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
  Mounts?: { Type?: string; Source?: string; Target?: string; ReadOnly?: boolean; BindOptions?: { Propagation?: string } }[] | null;
}

export function hostConfigOf(inspect: ContainerInspect): NonNullable<ContainerInspect['HostConfig']> & HostConfigExtras {
  return inspect.HostConfig ?? {};
}

/**
 * `["A","B"]` for evidence lines; `null` when unset. Long items are shortened: the engine inlines
 * a whole custom seccomp profile (`seccomp={...}`) into SecurityOpt.
 */
export function evidenceList(values: readonly string[] | null | undefined): string {
  if (!values || !values.length) return 'null';
  return JSON.stringify(values.map((v) => (v.length > 80 ? `${v.slice(0, 60)}… (${v.length} chars)` : v)));
}

export interface ContainerMount {
  type: string;
  /** A named volume's name. */
  name?: string;
  source: string;
  destination: string;
  rw: boolean;
  propagation: string;
}

/** The container's mounts (binds, volumes, tmpfs via --mount), as the engine reports them. */
export function containerMounts(inspect: ContainerInspect): ContainerMount[] {
  return (inspect.Mounts ?? []).map((m) => ({
    type: m.Type ?? '',
    ...(m.Name ? { name: m.Name } : {}),
    source: m.Source ?? '',
    destination: m.Destination ?? '',
    rw: m.RW !== false,
    propagation: m.Propagation ?? '',
  }));
}

export interface ContainerPort {
  containerPort: string;
  protocol: string;
  hostIp: string;
  hostPort: string;
}

/**
 * Published ports as configured (HostConfig.PortBindings), so created and stopped containers are
 * judged too; NetworkSettings.Ports only lists them while running.
 */
export function containerPorts(inspect: ContainerInspect): ContainerPort[] {
  const out: ContainerPort[] = [];
  const bindings = inspect.HostConfig?.PortBindings ?? inspect.NetworkSettings?.Ports ?? {};
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [containerPort, protocol = 'tcp'] = key.split('/');
    for (const b of list ?? []) out.push({ containerPort, protocol, hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' });
  }
  return out;
}
