import type { Rule } from '../rule';
// Each owner appends to its own block; keep one import per rule module.
// -- Dockerfile rules
import maintainerDeprecated from './maintainer-deprecated';
// -- Runtime rules (compose services and containers)
import privileged from './privileged';

export const ALL_RULES: readonly Rule[] = [
  // -- Dockerfile rules
  maintainerDeprecated,
  // -- Runtime rules (compose services and containers)
  privileged,
];
