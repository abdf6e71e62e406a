import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  const first = new Map<string, number>();
  for (const stage of ctx.stages) {
    if (!stage.name) continue;
    const earlier = first.get(stage.name);
    if (earlier === undefined) {
      first.set(stage.name, stage.index);
      continue;
    }
    const aliasRange = stage.from.getBuildStageRange();
    reports.push({
      message: `stage name is already used by stage ${earlier}: \`COPY --from\` and \`--target\` cannot tell them apart`,
      range: aliasRange ? ctx.rangeOf(aliasRange) : ctx.rangeOf(stage.from.getRange()),
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'stage-name-duplicate',
    title: 'Two stages with the same name',
    severity: 'error',
    targets: ['dockerfile'],
    rationale: 'Docker refuses a Dockerfile whose stages share a name (BuildKit: "duplicate stage name"); with older builders `COPY --from` and `--target` pick one of them, so what ends up in the image depends on the builder.',
    remediation: 'Give every `FROM … AS name` a distinct name.',
    refs: { hadolint: ['DL3024'] },
    examples: {
      dockerfile: {
        bad: ['FROM node:20 AS build\nRUN npm ci\nFROM node:20 AS build\nRUN npm run build\n'],
        good: ['FROM node:20 AS deps\nRUN npm ci\nFROM node:20 AS build\nRUN npm run build\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
