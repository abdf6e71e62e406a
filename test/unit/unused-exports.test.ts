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

test('no new unused value exports in src/ (imported by nothing in src or test)', () => {
  assert.deepEqual(unusedExports(), [], 'unused exports: drop the `export` or the code');
});
