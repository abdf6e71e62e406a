// Every export of src/ is imported somewhere else (src, tests or scripts): an export nobody uses
// is dead code or a helper that should not be public. Uses the TypeScript compiler's own
// resolution, so re-exports, aliases and `import type` count exactly as they resolve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT, repoPath } from '../support/paths';

/** Entry points whose exports are called by VS Code or node, not imported. */
const ENTRY_POINTS = new Set(['src/extension/extension.ts', 'src/cli/main.ts']);

function unusedExports(): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(repoPath('test', 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const files = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  const used = new Set<ts.Symbol>();
  const wholeModules = new Set<ts.Symbol>();
  const resolve = (s: ts.Symbol | undefined) => (s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) {
        const symbol = resolve(checker.getSymbolAtLocation(node.name));
        if (symbol) used.add(symbol);
        // `export { x } from './y'` uses y's x; `export { x }` re-exports a local.
        if (ts.isExportSpecifier(node) && node.parent.parent.moduleSpecifier) {
          const target = checker.getExportSpecifierLocalTargetSymbol(node);
          if (target) used.add(resolve(target)!);
        }
      } else if (ts.isImportClause(node) && node.name) {
        const symbol = resolve(checker.getSymbolAtLocation(node.name));
        if (symbol) used.add(symbol);
      } else if ((ts.isNamespaceImport(node) || ts.isNamespaceExport(node)) && node.parent) {
        const decl = ts.isNamespaceImport(node) ? node.parent.parent : node.parent;
        const spec = (decl as ts.ImportDeclaration | ts.ExportDeclaration).moduleSpecifier;
        const moduleSymbol = spec && checker.getSymbolAtLocation(spec);
        if (moduleSymbol) wholeModules.add(moduleSymbol);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
        const moduleSymbol = checker.getSymbolAtLocation(node.arguments[0]);
        if (moduleSymbol) wholeModules.add(moduleSymbol);
      } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && node.qualifier) {
        const symbol = resolve(checker.getSymbolAtLocation(node.qualifier));
        if (symbol) used.add(symbol);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }

  const unused: string[] = [];
  for (const file of files) {
    const name = relative(REPO_ROOT, file.fileName);
    if (!name.startsWith('src/') || ENTRY_POINTS.has(name)) continue;
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol || wholeModules.has(moduleSymbol)) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = resolve(exported)!;
      // Types and interfaces document the signatures they appear in; values are what can die.
      if (exported.name === 'default' || !(target.flags & ts.SymbolFlags.Value)) continue;
      if (!used.has(target) && !used.has(exported)) unused.push(`${name}: ${exported.name}`);
    }
  }
  return unused.sort();
}

/**
 * Exports only their own module uses, in files other helpers of issue 14 own: a backlog that may
 * only shrink. A new unused export fails the test; so does an entry here that became used or
 * was removed (delete it from the list).
 */
const BACKLOG = [
  'src/cli/audit-containers.ts: AUDIT_CONTAINERS_USAGE',
  'src/cli/audit-containers.ts: containerJson',
  'src/cli/audit-host.ts: AUDIT_HOST_USAGE',
  'src/cli/io.ts: DOCS_BASE',
  'src/cli/profile.ts: PROFILE_USAGE',
  'src/docker/connection.ts: DEFAULT_NPIPE',
  'src/docker/connection.ts: DEFAULT_UNIX_SOCKET',
  'src/docker/connection.ts: dockerConfigDir',
  'src/docker/connection.ts: withTimeout',
  'src/docker/containers.ts: engineIsLocal',
  'src/docker/host-probe.ts: unixSocketPath',
  'src/docker/profile.ts: STRACE_INSTALL_HINT',
  'src/docker/profile.ts: containerPids',
  'src/docker/profile.ts: pidsInNamespaceOf',
  'src/docker/profile.ts: straceProblem',
  'src/engine/audit/format.ts: summaryLine',
  'src/engine/audit/format.ts: toText',
  'src/engine/compose/context.ts: MAX_EXPANDED_NODES',
  'src/engine/compose/edit.ts: flowText',
  'src/engine/compose/edit.ts: sourceText',
  'src/engine/compose/edit.ts: yamlString',
  'src/engine/compose/service.ts: isMergeKey',
  'src/engine/compose/shared-checks.ts: NON_ROOT_USER',
  'src/engine/dockerfile/context.ts: indentOf',
  'src/engine/dockerfile/context.ts: instructionRange',
  'src/engine/dockerfile/context.ts: keywordRange',
  'src/engine/dockerfile/context.ts: splitReference',
  'src/engine/fix.ts: chooseFix',
  'src/engine/output/escape.ts: MAX_EVIDENCE_CHARS',
  'src/engine/profile/seccomp.ts: ARCH_MAP',
  'src/engine/profile/seccomp.ts: GO_RUNTIME_SYSCALLS',
  'src/engine/profile/seccomp.ts: RUNC_SYSCALLS',
  'src/engine/text.ts: rangesOverlap',
  'src/extension/containers/model.ts: PROBLEM_TITLES',
  'src/extension/containers/model.ts: containerNode',
  'src/extension/containers/model.ts: engineChildren',
  'src/extension/containers/model.ts: findingNodes',
  'src/extension/containers/register.ts: VIEW_ID',
  'src/extension/containers/tree.ts: containerTooltip',
  'src/extension/linting/codeActions.ts: FIX_ALL_KIND',
  'src/extension/workspace/audit.ts: findWorkspaceFiles',
];

test('no new unused value exports in src/ (imported by nothing in src or test)', () => {
  const unused = unusedExports();
  assert.deepEqual(unused.filter((u) => !BACKLOG.includes(u)), [], 'unused exports: drop the `export` or the code');
  assert.deepEqual(BACKLOG.filter((u) => !unused.includes(u)), [], 'backlog entries that are gone: remove them from BACKLOG');
});
