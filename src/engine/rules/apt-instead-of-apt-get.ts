import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { runCommands, subcommand, unwrapSudo } from '../dockerfile/run';

/** apt subcommands that apt-get has with the same meaning. */
const SHARED = /^(?:install|update|upgrade|dist-upgrade|remove|purge|autoremove|autoclean|clean|source|build-dep)$/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  const reports: Report[] = [];
  for (const raw of runCommands(ctx)) {
    const cmd = unwrapSudo(raw);
    if (cmd.name !== 'apt') continue;
    const sub = subcommand(cmd.args)?.word.value ?? '';
    const word = cmd.nameWord;
    const exact = ctx.text.slice(word.start, word.end) === word.value;
    reports.push({
      message: 'apt is meant for interactive use and has no stable command-line interface; scripts use apt-get',
      range: { start: word.start, end: word.end },
      fixes: SHARED.test(sub) && exact ? [{ title: 'Use apt-get', safe: true, preferred: true, edits: [{ start: word.end - 3, end: word.end, newText: 'apt-get' }] }] : [],
    });
  }
  return reports;
}

export default defineRule({
  meta: {
    id: 'apt-instead-of-apt-get',
    title: 'apt used in a script',
    severity: 'info',
    targets: ['dockerfile'],
    rationale: 'apt warns that its CLI is not stable for scripts: output and behaviour may change between releases, which makes builds brittle.',
    remediation: 'Use `apt-get` (and `apt-cache`) in Dockerfiles.',
    refs: { hadolint: ['DL3027'], checkov: ['CKV_DOCKER_9'] },
    examples: {
      dockerfile: {
        bad: ['FROM debian:12\nRUN apt update && apt install -y curl\n'],
        good: ['FROM debian:12\nRUN apt-get update && apt-get install -y curl\n'],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
