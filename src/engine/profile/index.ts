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

/** Everything Bulkhead derives from one strace log. Never throws. */
export function profileFromStrace(text: string, options: ProfileOptions & { includeLikelyCaps?: boolean } = {}): ObservedProfile {
  const log = parseStraceLog(text);
  const counts = syscallCounts(log.calls);
  const seccomp = buildSeccompProfile(counts.keys(), options);
  const capabilities = capabilitiesFor(log.calls);
  let problem: string | undefined;
  if (!log.calls.length) problem = 'no system calls found in the log: was it written by strace (`strace -f -o FILE …`)?';
  else if (!looksLikeStrace(log)) problem = `most lines are not strace output (${log.unparsed.count} unreadable, e.g. ${JSON.stringify(log.unparsed.samples[0])})`;
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
