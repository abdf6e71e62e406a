import { JSONInstruction, type Instruction } from 'dockerfile-ast';
import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';

const ARCHIVE = /\.(?:tar|tar\.(?:gz|bz2|xz|zst|lz|lzma)|tgz|tbz2?|txz|tzst)$/i;
const REMOTE = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;
/** Flags only ADD understands: such an ADD cannot become COPY. */
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

/** Sources of an ADD/COPY (everything but the destination), shell or JSON form. */
export function addSources(instruction: Instruction): string[] {
  const values = instruction instanceof JSONInstruction && instruction.getOpeningBracket()
    ? instruction.getJSONStrings().map((s) => s.getValue())
    : instruction.getArguments().map((a) => a.getValue());
  return values.slice(0, -1);
}

export function isRemoteSource(source: string): boolean {
  return REMOTE.test(source);
}

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const instruction of ctx.ofKeyword('ADD')) {
    const sources = addSources(instruction);
    // A variable may name a local archive that ADD extracts on purpose (`ADD ${TARFILE} /opt/`): COPY would not.
    if (!sources.length || sources.some((s) => REMOTE.test(s) || ARCHIVE.test(s) || s.includes('$'))) continue;
    const keyword = ctx.rangeOf(instruction.getInstructionRange());
    const flags = (instruction as JSONInstruction).getFlags?.() ?? [];
    const fixable = !flags.some((f) => ADD_ONLY_FLAGS.has(f.getName()));
    const copy = instruction.getInstruction() === instruction.getInstruction().toLowerCase() ? 'copy' : 'COPY';
    reports.push({
      message: 'ADD of local files: COPY does the same without ADD\'s implicit archive extraction and URL fetching',
      range: keyword,
      fixes: fixable ? [{ title: 'Replace ADD with COPY', safe: true, preferred: true, edits: [{ ...keyword, newText: copy }] }] : [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'add-instead-of-copy',
    title: 'ADD used for local files',
    severity: 'warning',
    targets: ['dockerfile'],
    rationale:
      'ADD silently extracts local archives and fetches URLs; when the source changes (a file renamed to .tar, a path swapped for a URL) the build does something else without any change to the instruction. COPY only copies.',
    remediation: 'Use COPY for local files and directories; keep ADD only for local tar archives you want extracted. A source written as a variable is not reported: it may name such an archive.',
    refs: { cis: ['4.9'], hadolint: ['DL3020'], trivy: ['DS-0005'], checkov: ['CKV_DOCKER_4'] },
    examples: {
      dockerfile: {
        bad: ['FROM node:20-alpine\nADD package.json /app/\n'],
        good: ['FROM node:20-alpine\nCOPY package.json /app/\n', 'FROM alpine:3.20\nADD rootfs.tar.gz /\n', 'FROM oraclelinux:8\nARG APP_TARFILE\nADD ${APP_TARFILE} /opt/app/\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
