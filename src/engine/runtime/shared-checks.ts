import type { Report } from '../rule';
import type { ContainerContext } from './container';
import { imagePinning, isRootUser } from './judge';

// The container side of the concerns whose rule modules are shared with Dockerfiles.

export function containerUserRoot(ctx: ContainerContext): Report[] {
  const user = ctx.inspect.Config?.User ?? '';
  return isRootUser(user) ? [{ message: user ? `runs as root (user ${user})` : 'runs as root (no user set in the container or its image)', evidence: `Config.User=${JSON.stringify(user)}` }] : [];
}

export function containerHealthcheck(ctx: ContainerContext): Report[] {
  const test = ctx.inspect.Config?.Healthcheck?.Test;
  if (!test || !test.length) return [{ message: 'has no health check (neither the container nor its image defines one)', evidence: 'Config.Healthcheck=null' }];
  if (test[0] === 'NONE') return [{ message: 'has its health check disabled', evidence: 'Config.Healthcheck.Test=["NONE"]', severity: 'warning' }];
  return [];
}

export function containerImageUnpinned(ctx: ContainerContext): Report[] {
  const image = ctx.inspect.Config?.Image ?? '';
  // A container always runs one fixed image id; only a floating reference matters for re-creation.
  if (!image || /^sha256:/.test(image)) return [];
  const { state } = imagePinning(image);
  if (state === 'latest') return [{ message: `created from the mutable :latest tag (${image}): re-creating it may run different software`, evidence: `Config.Image=${JSON.stringify(image)}` }];
  if (state === 'untagged') return [{ message: `created from an untagged image reference (${image}), which means :latest`, evidence: `Config.Image=${JSON.stringify(image)}` }];
  return [];
}
