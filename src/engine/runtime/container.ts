/** What a container rule may look at: the engine's inspect data of one container. */
export interface ContainerContext {
  /** `docker inspect` JSON of the container (Engine API ContainerInspect). */
  inspect: ContainerInspect;
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
  Mounts?: { Type?: string; Source?: string; Destination?: string; RW?: boolean; Propagation?: string; Mode?: string }[];
  AppArmorProfile?: string;
  NetworkSettings?: { Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null; Networks?: Record<string, unknown> };
}
