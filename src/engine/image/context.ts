// What an image rule may look at: pure data the adapter (src/docker/image-reader.ts) gathered from
// the engine's inspect, history and a streamed read of the layers. File contents never reach it:
// only facts (a path, its owner and mode, "holds a private key", parsed account flags).
import type { Instruction } from 'dockerfile-ast';
import type { DockerfileContext } from '../dockerfile/context';

export interface ImageConfig {
  User?: string;
  Env?: string[] | null;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: { Test?: string[] } | null;
  Labels?: Record<string, string> | null;
}

/** One `docker history` step, oldest first. */
export interface HistoryStep {
  createdBy: string;
  emptyLayer: boolean;
  /** 1-based layer number when the step created a layer. */
  layer?: number;
}

/** Where a fact lives: the layer that added it and, when a later layer deleted or replaced it, that one. */
export interface LayerPlace {
  path: string;
  layer: number;
  /** The later layer that deleted (whiteout) or replaced the path; the bytes stay extractable from `layer`. */
  goneIn?: number;
  gone?: 'deleted' | 'replaced';
}

export interface SpecialBitFile extends LayerPlace {
  mode: number;
  uid: number;
  gid: number;
}

export type SecretFileKind = 'private-key' | 'dotenv' | 'npm-token' | 'pypi-credentials' | 'git-credentials' | 'aws-credentials' | 'docker-auth' | 'netrc' | 'pgpass';

export interface SecretFile extends LayerPlace {
  kind: SecretFileKind;
}

export interface WorldWritable extends LayerPlace {
  type: 'file' | 'directory';
  mode: number;
}

export type LeftoverKind = 'apt-lists' | 'apt-archives' | 'apk-cache' | 'pip-cache' | 'npm-cache' | 'yum-cache' | 'dnf-cache' | 'git';

/** A cache or `.git` directory, summarised: its root, how many files and bytes a layer put there. */
export interface Leftover extends LayerPlace {
  kind: LeftoverKind;
  files: number;
  bytes: number;
}

export interface Account {
  name: string;
  uid?: number;
  gid?: number;
  /** From /etc/shadow when the image has one, else from the passwd field. */
  password: 'empty' | 'locked' | 'set' | 'shadowed';
  /** The file the password state comes from. */
  passwordFrom: 'passwd' | 'shadow';
}

export interface Group {
  name: string;
  gid: number;
}

export interface Accounts {
  /** The layers the final /etc/passwd, /etc/shadow and /etc/group come from. */
  passwdLayer?: number;
  shadowLayer?: number;
  groupLayer?: number;
  users: Account[];
  groups: Group[];
}

/** Facts about the image's files, in the final filesystem unless a field says otherwise. */
export interface ImageFiles {
  specialBits: SpecialBitFile[];
  /** Every layer, including files a later layer deleted or replaced. */
  secrets: SecretFile[];
  worldWritable: WorldWritable[];
  leftovers: Leftover[];
  accounts: Accounts;
  /** Paths of tools in the final filesystem that fixes depend on (`/bin/sh`, `find`, `chmod`, `sudo`). */
  tools: Record<string, LayerPlace>;
}

export interface ImageContext {
  id: string;
  tags: string[];
  repoDigests: string[];
  config: ImageConfig;
  history: HistoryStep[];
  layerCount: number;
  /** Absent when the layers were not read (cancelled, over the deadline, or not asked for). */
  files?: ImageFiles;
  /** Set by checkImage when the Dockerfile that built the image is known. */
  source?: ImageSource;
}

export interface ImageSource {
  dockerfile: DockerfileContext;
  /** History step index → the instruction that created it (FROM for base-image steps). */
  steps: Map<number, Instruction>;
}

