import type { JSONInstruction } from 'dockerfile-ast';
import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { addSources, isRemoteSource } from './add-instead-of-copy';

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const instruction of ctx.ofKeyword('ADD')) {
    const remote = addSources(instruction).filter(isRemoteSource);
    if (!remote.length) continue;
    const flags = (instruction as JSONInstruction).getFlags?.() ?? [];
    // --checksum pins the content, which is the point of this rule.
    if (flags.some((f) => f.getName() === 'checksum')) continue;
    const arg = instruction.getArguments().find((a) => isRemoteSource(a.getValue()));
    reports.push({
      message: 'ADD of a remote URL: the download is not verified and its content can change between builds',
      range: ctx.rangeOf((arg ?? instruction).getRange()),
      fixes: [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'add-remote-url',
    title: 'ADD fetches a remote URL',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'ADD <url> downloads whatever the server returns at build time, with no checksum or signature check, into a layer (and the file stays in the image even if later deleted).',
    remediation: 'Pin the content with `ADD --checksum=sha256:… <url>`, or download in a RUN with curl, verify a checksum or signature, and clean up in the same layer.',
    refs: { cis: ['4.9'], checkov: ['CKV_DOCKER_4'] },
    examples: {
      dockerfile: {
        bad: ['FROM alpine:3.20\nADD https://example.com/tool.tar.gz /opt/\n'],
        good: ['FROM alpine:3.20\nRUN wget -q -O /opt/tool.tar.gz https://example.com/tool.tar.gz\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
