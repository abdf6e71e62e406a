/**
 * What a trial run (or an observed container) showed about one service. Recorded by the adapters
 * in src/docker/harden; everything here is plain data so derivations can be unit-tested on
 * recorded runs.
 */

/** One entry of `GET /containers/{id}/changes`: 0 modified, 1 added, 2 deleted. */
export interface FileChange {
  path: string;
  kind: 0 | 1 | 2;
}

export interface Listener {
  port: number;
  /** Whether an HTTP request from the host got an HTTP answer; `status` is its status code. */
  http: boolean;
  status?: number;
}

/** A `ports:` item of the service in short syntax, as written: `8080:80`, `127.0.0.1:53:53/udp`. */
export interface PublishedPort {
  text: string;
}

export interface ImageUser {
  name: string;
  uid: number;
  gid: number;
}

export interface Evidence {
  service: string;
  image: string;
  /** The user the service was started as: the service's `user:` or the image's; '' = root. */
  configuredUser: string;
  /** Users in the image's /etc/passwd. */
  imageUsers: ImageUser[];
  /** The strace log from the container's first process on (strace -f -o, pids prefixed). */
  trace: string;
  /** Paths of files in the image with the setuid or setgid bit. */
  setuidFiles: string[];
  /** Files written to the container's own layer (volumes and tmpfs are not in it). */
  changes: FileChange[];
  /** Candidate mount points (see mountPointFor) that held files of the image before the run. */
  prefilledDirs: string[];
  listeners: Listener[];
  /** Addresses that are the host as seen from the container (its network gateways). */
  hostAddresses: string[];
  ports: PublishedPort[];
  peakMemoryBytes?: number;
  peakPids?: number;
  /** Probe tools present in the image (absolute paths): wget, curl, nc. */
  tools: string[];
  restarts: number;
  exitCode?: number;
  running: boolean;
  health?: string;
  observedSeconds: number;
}
