import type { Rule } from '../rule';
// Each owner appends to its own block; keep one import per rule module.
// -- Dockerfile rules
import maintainerDeprecated from './maintainer-deprecated';
import userRoot from './user-root';
import healthcheckMissing from './healthcheck-missing';
import imageUnpinned from './image-unpinned';
import secretInEnv from './secret-in-env';
import sshPort from './ssh-port';
// -- Runtime rules (compose services and containers)
import privileged from './privileged';

export const ALL_RULES: readonly Rule[] = [
  // -- Dockerfile rules
  maintainerDeprecated,
  userRoot,
  healthcheckMissing,
  imageUnpinned,
  secretInEnv,
  sshPort,
  // -- Runtime rules (compose services and containers)
  privileged,
];
