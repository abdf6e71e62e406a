import type { Io } from './io';

/** `bulkhead audit containers`: findings for every container of the engine (issue: Containers sidebar). */
export async function runAuditContainers(_argv: string[], io: Io): Promise<number> {
  io.err('bulkhead audit containers: not built yet (lands with the Containers sidebar issue)\n');
  return 2;
}
