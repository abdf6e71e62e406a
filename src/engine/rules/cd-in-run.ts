import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands } from '../dockerfile/run';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const seen = new Set<unknown>();
  for (const cmd of runCommands(ctx)) {
    // One finding per RUN: the first cd is where the RUN starts depending on a directory it chose.
    if (cmd.name !== 'cd' || seen.has(cmd.instruction)) continue;
    seen.add(cmd.instruction);
    reports.push({ message: 'cd in RUN: the directory holds only for this RUN; use WORKDIR to set where later instructions run', range: { start: cmd.nameWord.start, end: cmd.nameWord.end }, fixes: [] });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'cd-in-run',
    title: 'cd in RUN instead of WORKDIR',
    severity: 'info',
    targets: ['dockerfile'],
    rationale:
      'A `cd` lasts only until the end of its RUN: the next RUN, COPY and the container start back in WORKDIR, which readers (and later edits) easily miss. WORKDIR states the directory once, creates it, and applies to every later instruction.',
    remediation: 'Use `WORKDIR /path` before the commands that need it. No automatic fix: WORKDIR also changes where every later instruction and the container run.',
    refs: { hadolint: ['DL3003'] },
    examples: {
      dockerfile: {
        bad: ['FROM node:20-slim\nCOPY . /app\nRUN cd /app && npm ci --omit=dev\n'],
        good: ['FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
