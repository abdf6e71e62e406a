// The host audit's model: evidence a probe gathered (plain JSON, so recorded fixtures drive the
// unit tests) and the checks' results. Nothing here performs I/O.
import type { ContainerInspect } from '../runtime/container';

export type AuditStatus = 'pass' | 'warn' | 'info' | 'note' | 'skip';
export const AUDIT_STATUSES: readonly AuditStatus[] = ['warn', 'pass', 'info', 'note', 'skip'];

export interface AuditCheckResult {
  id: string;
  title: string;
  /** Top-level section number ("1".."7", or "8" for items added after CIS v1.6.0). */
  section: string;
  level: 1 | 2;
  /** CIS "Automated" (scored) versus "Manual". */
  scored: boolean;
  status: AuditStatus;
  /** What was seen, one line per fact, raw (engine data is untrusted): every surface escapes it. */
  evidence: string[];
  remediation: string;
  impact: string;
  refs: string[];
  /** Containers a 5.x result names, so surfaces can link to them (and to their compose file). */
  containers?: AuditContainerRef[];
}

export interface AuditContainerRef {
  id: string;
  name: string;
  /** Labels as the engine reports them: untrusted text, surfaces must escape it. */
  labels?: Record<string, string>;
  /** The compose file and service that created it (com.docker.compose.* labels), when known. */
  compose?: { file: string; service: string };
}

export interface AuditSummary {
  total: number;
  counts: Record<AuditStatus, number>;
  /** Percentage of evaluated scored checks that pass (warns count against it). */
  score: number;
  engine: string;
  flavor: EngineFlavor;
  local: boolean;
  /** Why some checks could not run (remote engine, not root…), for the report header. */
  notes: string[];
  apiCalls: number;
  durationMs?: number;
}

export interface AuditReport {
  checks: AuditCheckResult[];
  summary: AuditSummary;
}

export type EngineFlavor = 'docker' | 'rootless-docker' | 'podman' | 'unknown';

/** A host file's metadata. `mode` holds the permission bits (mode & 0o7777). */
export interface FileEvidence {
  path: string;
  exists: boolean;
  type?: 'file' | 'dir' | 'socket' | 'symlink' | 'other';
  mode?: number;
  uid?: number;
  gid?: number;
  /** Names resolved through /etc/passwd and /etc/group when possible. */
  owner?: string;
  group?: string;
  error?: string;
}

/** One line of /proc/self/mountinfo. `root` is the source path inside its filesystem: "/" unless a bind mount. */
export interface MountEntry {
  mountPoint: string;
  root: string;
  fsType: string;
  source: string;
  device: string;
}

export interface DaemonEvidence {
  pid?: number;
  /** argv of the dockerd process, from /proc/<pid>/cmdline. */
  cmdline?: string[];
  /** The dockerd executable (/proc/<pid>/exe). */
  binary?: string;
  /** The daemon.json in effect (--config-file or the default location). */
  configPath: string;
  configText?: string;
  configError?: string;
  error?: string;
}

export interface ImageEvidence {
  Id: string;
  RepoTags?: string[] | null;
  Created?: string;
  Config?: { User?: string; Healthcheck?: { Test?: string[] } | null; Env?: string[] | null } | null;
  history?: { CreatedBy?: string }[];
}

export interface NetworkEvidence {
  Name: string;
  Id?: string;
  Driver?: string;
  Scope?: string;
  Ingress?: boolean;
  Options?: Record<string, string> | null;
}

export interface ExecEvidence {
  ID: string;
  ContainerID: string;
  Privileged?: boolean;
  User?: string;
}

export interface SwarmEvidence {
  /** Nodes list (managers only can list them). */
  nodes?: { ID: string; ManagerStatus?: { Leader?: boolean; Reachability?: string } | null }[];
  services?: { ID: string; Spec?: { Name?: string }; Endpoint?: { Ports?: { PublishedPort?: number; PublishMode?: string }[] | null; Spec?: { Ports?: { PublishedPort?: number }[] } } }[];
  /** Swarm inspect (managers only). */
  spec?: { EncryptionConfig?: { AutoLockManagers?: boolean }; CAConfig?: { NodeCertExpiry?: number } };
  secrets?: number;
  error?: string;
}

/** Only gathered for an engine on this machine; undefined for remote engines. */
export interface HostEvidence {
  isRoot: boolean;
  daemon?: DaemonEvidence;
  /** Keyed by path; covers every file sections 1 and 3 name. */
  files: Record<string, FileEvidence>;
  /** /etc/docker/certs.d/<registry>/* */
  registryCertFiles?: FileEvidence[];
  /** rules/sources: the LOADED rules (`auditctl -l`); onDisk: rules files that would load at boot. */
  auditRules: { rules: string[]; sources: string[]; error?: string; onDisk?: { rules: string[]; files: string[] } };
  mounts?: MountEntry[];
  mountsError?: string;
  apparmor: 'enabled' | 'disabled' | 'absent' | 'unknown';
  selinux: 'enforcing' | 'permissive' | 'absent' | 'unknown';
  /** Members of the docker group (from /etc/group). */
  dockerGroupMembers?: string[];
  /** Paths of the systemd units found for the engine. */
  units: { service?: string; socket?: string; containerdSocket?: string; dockerSocket?: string };
  /** Process names running inside each local running container (walked from State.Pid via /proc), keyed by container Id. */
  containerProcesses?: Record<string, string[]>;
  /** Local addresses listening on the swarm management port 2377 (from /proc/net/tcp{,6}). */
  swarmListeners?: string[];
}

export interface AuditEvidence {
  engine: { host: string; local: boolean; flavor: EngineFlavor };
  apiCalls: number;
  // The Engine API's own shapes, narrowed to what checks read.
  info?: DockerInfo;
  version?: { Version?: string; ApiVersion?: string; Components?: { Name: string; Version: string }[] };
  containers: (ContainerInspect & { ExecIDs?: string[] | null; Config?: ContainerInspect['Config'] & { Cmd?: string[] | null; Entrypoint?: string[] | null } })[];
  execs: ExecEvidence[];
  images: ImageEvidence[];
  networks: NetworkEvidence[];
  swarm?: SwarmEvidence;
  /** The auditing client's environment (DOCKER_CONTENT_TRUST is a client-side setting). */
  clientEnv: { DOCKER_CONTENT_TRUST?: string };
  /** Per-API-area failures: "containers: permission denied". */
  errors: string[];
  host?: HostEvidence;
}

export interface DockerInfo {
  ID?: string;
  Name?: string;
  ServerVersion?: string;
  Driver?: string;
  DockerRootDir?: string;
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  LiveRestoreEnabled?: boolean;
  ExperimentalBuild?: boolean;
  SecurityOptions?: string[] | null;
  Plugins?: { Authorization?: string[] | null; Log?: string[] | null };
  RegistryConfig?: { InsecureRegistryCIDRs?: string[] | null; IndexConfigs?: Record<string, { Name?: string; Secure?: boolean }> | null };
  Swarm?: {
    LocalNodeState?: string;
    ControlAvailable?: boolean;
    NodeID?: string;
    NodeAddr?: string;
    Managers?: number;
    Nodes?: number;
    RemoteManagers?: { NodeID: string; Addr: string }[] | null;
    Cluster?: { Spec?: { EncryptionConfig?: { AutoLockManagers?: boolean } } } | null;
  };
  OperatingSystem?: string;
  KernelVersion?: string;
  Containers?: number;
  Images?: number;
  Labels?: string[] | null;
}
