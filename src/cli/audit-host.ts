import type { Io } from './io';

/** `bulkhead audit host`: the CIS Docker Benchmark host audit (issue: Host audit). */
export async function runAuditHost(_argv: string[], io: Io): Promise<number> {
  io.err('bulkhead audit host: not built yet (the CIS host audit lands with the Host audit issue)\n');
  return 2;
}
