import { parseStraceLog, syscallCounts, looksLikeStrace, type StraceLog } from './strace';
import { capabilitiesFor, capAddList, type CapabilityNeed } from './capabilities';
import { buildSeccompProfile, serializeSeccompProfile, type BuiltProfile, type ProfileOptions } from './seccomp';

export interface ObservedProfile {
  log: StraceLog;
  /** Observed syscall names with call counts, sorted by name. */
  counts: Map<string, number>;
  seccomp: BuiltProfile;
  capabilities: CapabilityNeed[];
  /** Required capabilities (what `cap_add` gets). */
  capAdd: string[];
  /** Set when the text does not look like strace output: nothing should be written. */
  problem?: string;
}

/** Fewer distinct calls than this means an idle observation (a shell's start alone makes ~20). */
const FEW_SYSCALLS = 15;

/** Everything Bulkhead derives from one strace log. Never throws. */
export function profileFromStrace(text: string, options: ProfileOptions & { includeLikelyCaps?: boolean } = {}): ObservedProfile {
  const log = parseStraceLog(text);
  const counts = syscallCounts(log.calls);
  const seccomp = buildSeccompProfile(counts.keys(), options);
  const capabilities = capabilitiesFor(log.calls);
  let problem: string | undefined;
  if (!log.calls.length) problem = 'no system calls found in the log: was it written by strace (`strace -f -o FILE …`)?';
  // The count only: the log's lines are never quoted back (it may hold anything the process read).
  else if (!looksLikeStrace(log)) problem = `most lines are not strace output (${log.unparsed.count} unreadable)`;
  const distinct = counts.size;
  if (!problem && distinct < FEW_SYSCALLS) {
    log.warnings.push(`only ${distinct} distinct system calls were observed: the service was probably idle, so the profile may block what it does when used; exercise it while observing`);
  }
  return { log, counts, seccomp, capabilities, capAdd: capAddList(capabilities, options.includeLikelyCaps), problem };
}

/** The capabilities file written beside a profile (`--caps-out`), stable for review and diffs. */
export function capabilitiesDocument(p: ObservedProfile): string {
  return `${JSON.stringify(
    {
      capDrop: ['ALL'],
      capAdd: p.capAdd,
      needs: p.capabilities.map((c) => ({ capability: c.capability, confidence: c.confidence, reason: c.reason, calls: c.calls })),
    },
    null,
    2,
  )}\n`;
}

export { serializeSeccompProfile };
