import { Copy } from 'dockerfile-ast';
import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const instruction of ctx.ofKeyword('COPY')) {
    const flag = instruction instanceof Copy ? instruction.getFromFlag() : null;
    const source = flag?.getValue()?.toLowerCase();
    const stage = ctx.stageOf(instruction);
    const valueRange = flag?.getValueRange();
    if (!source || !stage || !valueRange || source.includes('$')) continue;
    const range = ctx.rangeOf(valueRange);
    const named = /^\d+$/.test(source) ? ctx.stages[Number(source)] : ctx.stages.find((s) => s.name === source);
    // A name that is no stage at all is an image reference (`--from=nginx:1.27`), which is allowed.
    if (!named && !/^\d+$/.test(source)) continue;
    if (named === stage) {
      reports.push({ message: 'COPY --from names the stage it is in: a stage cannot copy from itself', range, refs: { hadolint: ['DL3023'] } });
    } else if (!named || named.index > stage.index) {
      reports.push({ message: 'COPY --from names a stage that is not defined before this one: the build fails (or pulls an image of that name)', range, refs: { hadolint: ['DL3022'] } });
    }
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'copy-from-stage',
    title: 'COPY --from a stage that is not an earlier one',
    severity: 'error',
    targets: ['dockerfile'],
    rationale:
      'COPY --from can only read a stage built before the current one. Naming the current stage, a later stage or a stage number that does not exist yet fails the build, or — for a name — silently pulls a registry image of that name instead of your stage, which is a supply-chain risk.',
    remediation: 'Name an earlier stage (`FROM … AS build` … `COPY --from=build …`), or move the stage you copy from above this one.',
    refs: { hadolint: ['DL3022', 'DL3023'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12 AS runtime\nCOPY --from=build /app /app\nFROM golang:1.22 AS build\nRUN go build -o /app .\n', 'FROM golang:1.22 AS build\nRUN go build -o /app .\nCOPY --from=build /app /app2\n'],
        good: ['FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM debian:12\nCOPY --from=build /app /app\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
