import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BulkheadContext } from '../context';
import { COMPOSE_DOCUMENTS, serviceAt } from '../profile/codeActions';
import { escapeControlOneLine } from '../../engine/output/escape';

/** What the command may be given: the code action passes file and service; tests also skip the questions. */
export interface HardenArgument {
  file: string;
  service: string;
  /** Skip the observation question. */
  seconds?: number;
  /** Skip the exercise question ('' = none). */
  exercise?: string;
  /** Apply without asking once the diff is shown (tests and scripted use). */
  apply?: boolean;
}

/** What the command returns (for tests). */
export interface HardenCommandResult {
  verified: boolean;
  /** The virtual document with the hardened text, shown against the file. */
  hardenedUri?: string;
  applied: boolean;
  error?: string;
}

const HARDEN_ACTION_KIND = vscode.CodeActionKind.RefactorRewrite.append('bulkhead.harden');
const SCHEME = 'bulkhead-harden';

/** Hardened texts shown in the diff view, by virtual document path; read-only, kept until the window closes. */
class HardenedDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  put(file: string, service: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `${file}.${service}.hardened${path.extname(file)}` });
    this.texts.set(uri.path, text);
    return uri;
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
}

class HardenCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [HARDEN_ACTION_KIND] };

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    if (document.uri.scheme !== 'file') return [];
    const service = serviceAt(document, document.offsetAt(range.start));
    if (!service) return [];
    const action = new vscode.CodeAction(`Harden "${service}" from a trial run…`, HARDEN_ACTION_KIND);
    action.command = { command: 'bulkhead.hardenService', title: 'Harden from a trial run…', arguments: [{ file: document.uri.fsPath, service } satisfies HardenArgument] };
    return [action];
  }
}

/** Registers the code action and its command only; the trial code loads on first use. */
export function registerHarden(ctx: BulkheadContext): void {
  const documents = new HardenedDocuments();
  ctx.subscribe(
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    vscode.languages.registerCodeActionsProvider(COMPOSE_DOCUMENTS, new HardenCodeActions(), HardenCodeActions.metadata),
    vscode.commands.registerCommand('bulkhead.hardenService', (arg?: HardenArgument) => hardenCommand(ctx, documents, arg)),
  );
}

async function hardenCommand(ctx: BulkheadContext, documents: HardenedDocuments, arg?: HardenArgument): Promise<HardenCommandResult | undefined> {
  if (!arg?.file || !arg.service) {
    void vscode.window.showInformationMessage('Use "Harden from a trial run…" from the light bulb on a service of a compose file.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Hardening runs the service, strace and Docker: trust this workspace first.');
    return undefined;
  }
  const seconds =
    arg.seconds ??
    Number(
      await vscode.window.showInputBox({
        title: `Harden "${arg.service}": observe for how many seconds?`,
        value: '10',
        validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 3600 ? undefined : 'A whole number of seconds from 1 to 3600'),
      }),
    );
  if (!seconds) return undefined;
  const exercise =
    arg.exercise ??
    (await vscode.window.showInputBox({
      title: `Harden "${arg.service}": a command that exercises it (optional)`,
      placeHolder: 'e.g. curl -fsS http://127.0.0.1:8080/health (run on this machine through /bin/sh; empty = none)',
    }));
  if (exercise === undefined) return undefined;

  const { hardenComposeService } = await import('../../docker/harden/trial');
  const { hardenText } = await import('../../docker/harden/report');
  const { createClient, resolveDefaultEngine } = await import('../../docker/connection');
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Hardening ${arg.service}`, cancellable: true },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return hardenComposeService({
        docker: createClient(resolveDefaultEngine()),
        composeFile: arg.file,
        service: arg.service,
        observeSeconds: seconds,
        // The user typed this command line: it is theirs to run through a shell.
        exercise: exercise.trim() ? { argv: ['/bin/sh', '-c', exercise] } : undefined,
        signal: controller.signal,
        onProgress: (m) => {
          ctx.log.info(`harden: ${m}`);
          progress.report({ message: escapeControlOneLine(m) });
        },
      });
    },
  );
  ctx.log.info(`harden ${arg.file}:\n${hardenText(report, arg.file, false)}`);
  if (report.cancelled) return { verified: false, applied: false, error: 'cancelled' };
  if (!report.verified || report.hardenedText === undefined) {
    const error = report.error ?? 'no hardening could be verified';
    void vscode.window.showErrorMessage(`Cannot harden ${arg.service}: ${escapeControlOneLine(error)}`, 'Show Log').then((c) => c && ctx.log.show());
    return { verified: false, applied: false, error };
  }

  const fileUri = vscode.Uri.file(arg.file);
  const hardenedUri = documents.put(arg.file, arg.service, report.hardenedText);
  await vscode.commands.executeCommand('vscode.diff', fileUri, hardenedUri, `${path.basename(arg.file)} ↔ hardened "${arg.service}" (verified)`);
  const summary = `${arg.service}: ${report.derivation?.changes.length ?? 0} change(s) verified by ${report.trials} trial run(s)${report.relaxed.length ? `; relaxed ${report.relaxed.map((r) => r.key).join(', ')}` : ''}. Nothing is written until you apply.`;
  const choice = arg.apply ? 'Apply' : await vscode.window.showInformationMessage(summary, 'Apply', 'Show Report');
  if (choice === 'Show Report') ctx.log.show();
  if (choice !== 'Apply') return { verified: true, hardenedUri: hardenedUri.toString(), applied: false };
  const applied = await applyHardening(fileUri, report.originalText, report.hardenedText, report.seccompText ? { file: report.seccompFile, text: report.seccompText } : undefined);
  if (!applied) void vscode.window.showErrorMessage(`${path.basename(arg.file)} changed since the trial read it: not rewritten (run Harden again).`);
  return { verified: true, hardenedUri: hardenedUri.toString(), applied };
}

/** Replaces the compose file's text through the editor (undoable, saved), only if it still holds what the trial read. */
async function applyHardening(fileUri: vscode.Uri, original: string, hardened: string, seccomp?: { file: string; text: string }): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(fileUri);
  if (document.getText() !== original) return false;
  if (seccomp) {
    const { writeFileAtomic } = await import('../../workspace/atomicWrite');
    writeFileAtomic(seccomp.file, seccomp.text);
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(fileUri, new vscode.Range(document.positionAt(0), document.positionAt(original.length)), hardened);
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  return document.save();
}
