// Copies the corpus files listed in bench/corpus/sources.json out of local git copies of their
// repositories, so `node bench/rules.mjs` can measure precision offline. The files are not stored in
// this repository (see SOURCES.md); they land in node_modules/.cache/bulkhead-corpus, which no
// workspace scan, package or test walks.
// Run: node bench/corpus/materialise.mjs GIT_ROOT [OUT_DIR]
//   GIT_ROOT holds one git directory per repository, as <owner>+<name>/repo, <owner>+<name>.git or
//   <owner>/<name> (a clone); each must contain the listed commit. Reads only local files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CORPUS_DIR = join('node_modules', '.cache', 'bulkhead-corpus');
/** Larger files are not Dockerfiles or compose files anyone writes by hand. */
const MAX_FILE_BYTES = 1024 * 1024;

/** The folder a repository's files go to: owner__name, as the label keys name it. */
const corpusFolder = (repo) => repo.replace('/', '__');

function readSources() {
  return JSON.parse(readFileSync(new URL('./sources.json', import.meta.url), 'utf8'));
}

function gitDirOf(root, repo) {
  const [owner, name] = repo.split('/');
  return [join(root, `${owner}+${name}`, 'repo'), join(root, `${owner}+${name}.git`), join(root, owner, name)].find((dir) => existsSync(dir));
}

function materialise(root, out) {
  const { repositories } = readSources();
  rmSync(out, { recursive: true, force: true });
  let written = 0;
  const missing = [];
  for (const { repo, commit, files } of repositories) {
    const gitDir = gitDirOf(root, repo);
    if (!gitDir) {
      missing.push(repo);
      continue;
    }
    for (const path of files) {
      const text = execFileSync('git', ['-C', gitDir, 'show', `${commit}:${path}`], { maxBuffer: MAX_FILE_BYTES, timeout: 30_000 });
      const target = join(out, corpusFolder(repo), path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
      written++;
    }
  }
  console.log(`${written} files written to ${out}`);
  if (missing.length) {
    console.error(`no git copy under ${root} for: ${missing.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [root, out = DEFAULT_CORPUS_DIR] = process.argv.slice(2);
  if (!root) {
    console.error('usage: node bench/corpus/materialise.mjs GIT_ROOT [OUT_DIR]');
    process.exit(2);
  }
  materialise(root, out);
}
