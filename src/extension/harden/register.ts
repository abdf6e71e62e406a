import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BulkheadContext } from '../context';
import { COMPOSE_DOCUMENTS, serviceAt } from '../profile/codeActions';
import { escapeControlOneLine } from '../../engine/output/escape';
import type { HardenOptions, HardenReport } from '../../docker/harden/trial';

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
    vscode.commands.registerCommand('bulkhead.hardenContainer', (arg?: HardenContainerArgument) => hardenContainerCommand(ctx, documents, arg)),
  );
}

/** Asks how long to observe and what exercises the service, unless the argument says. */
async function askTrialSettings(what: string, given: { seconds?: number; exercise?: string }): Promise<{ seconds: number; exercise: string } | undefined> {
  const seconds =
    given.seconds ??
    Number(
      await vscode.window.showInputBox({
        title: `Harden ${what}: observe for how many seconds?`,
        value: '10',
        validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 3600 ? undefined : 'A whole number of seconds from 1 to 3600'),
      }),
    );
  if (!seconds) return undefined;
  const exercise =
    given.exercise ??
    (await vscode.window.showInputBox({
      title: `Harden ${what}: a command that exercises it (optional)`,
      placeHolder: 'e.g. curl -fsS http://127.0.0.1:8080/health (run on this machine through /bin/sh; empty = none)',
    }));
  if (exercise === undefined) return undefined;
  return { seconds, exercise };
}

/** The trial options every harden command shares: the engine, the observation, the exercise, progress into the notification and the log. */
async function withTrialProgress<T>(ctx: BulkheadContext, title: string, settings: { seconds: number; exercise: string }, run: (trial: Omit<HardenOptions, 'composeFile' | 'service'>) => Promise<T>): Promise<T> {
  const { createClient, resolveDefaultEngine } = await import('../../docker/connection');
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    return run({
      docker: createClient(resolveDefaultEngine()),
      observeSeconds: settings.seconds,
      // The user typed this command line: it is theirs to run through a shell.
      exercise: settings.exercise.trim() ? { argv: ['/bin/sh', '-c', settings.exercise] } : undefined,
      signal: controller.signal,
      onProgress: (m) => {
        ctx.log.info(`harden: ${m}`);
        progress.report({ message: escapeControlOneLine(m) });
      },
    });
  });
}

const trusted = () => {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage('Hardening runs the service, strace and Docker: trust this workspace first.');
  return false;
};

async function hardenCommand(ctx: BulkheadContext, documents: HardenedDocuments, arg?: HardenArgument): Promise<HardenCommandResult | undefined> {
  if (!arg?.file || !arg.service) {
    void vscode.window.showInformationMessage('Use "Harden from a trial run…" from the light bulb on a service of a compose file.');
    return undefined;
  }
  if (!trusted()) return undefined;
  const settings = await askTrialSettings(`"${arg.service}"`, arg);
  if (!settings) return undefined;
  const { hardenComposeService } = await import('../../docker/harden/trial');
  const report = await withTrialProgress(ctx, `Hardening ${arg.service}`, settings, (trial) => hardenComposeService({ ...trial, composeFile: arg.file, service: arg.service }));
  return offerDiff(ctx, documents, arg.file, arg.service, report, arg.apply);
}

/** Shows the verified result as a diff of the compose file, and applies it when the user (or the argument) says so. */
async function offerDiff(ctx: BulkheadContext, documents: HardenedDocuments, file: string, service: string, report: HardenReport, apply?: boolean): Promise<HardenCommandResult> {
  const { hardenText } = await import('../../docker/harden/report');
  ctx.log.info(`harden ${file}:\n${hardenText(report, file, false)}`);
  const failed = failure(ctx, service, report);
  if (failed || report.hardenedText === undefined) return failed ?? { verified: false, applied: false };
  const fileUri = vscode.Uri.file(file);
  const hardenedUri = documents.put(file, service, report.hardenedText);
  await vscode.commands.executeCommand('vscode.diff', fileUri, hardenedUri, `${path.basename(file)} ↔ hardened "${service}" (verified)`);
  const choice = apply ? 'Apply' : await vscode.window.showInformationMessage(`${summaryOf(service, report)} Nothing is written until you apply.`, 'Apply', 'Show Report');
  if (choice === 'Show Report') ctx.log.show();
  if (choice !== 'Apply') return { verified: true, hardenedUri: hardenedUri.toString(), applied: false };
  const notApplied = await applyHardening(fileUri, report.originalText, report.hardenedText, report.seccompText ? { file: report.seccompFile, text: report.seccompText } : undefined);
  if (notApplied) void vscode.window.showErrorMessage(notApplied);
  return { verified: true, hardenedUri: hardenedUri.toString(), applied: !notApplied, ...(notApplied ? { error: notApplied } : {}) };
}

const summaryOf = (service: string, report: HardenReport) =>
  `${service}: ${report.derivation?.changes.length ?? 0} change(s) verified by ${report.trials} trial run(s)${report.relaxed.length ? `; relaxed ${report.relaxed.map((r) => r.key).join(', ')}` : ''}.`;

/** A cancelled or unverified trial as the command's result (and an error message with the log). */
function failure(ctx: BulkheadContext, service: string, report: HardenReport): HardenCommandResult | undefined {
  if (report.cancelled) return { verified: false, applied: false, error: 'cancelled' };
  if (report.verified) return undefined;
  const error = report.error ?? 'no hardening could be verified';
  void vscode.window.showErrorMessage(`Cannot harden ${service}: ${escapeControlOneLine(error)}`, 'Show Log').then((c) => c && ctx.log.show());
  return { verified: false, applied: false, error };
}

/** A container node of the Containers view (`{ id: "<engine>/container/<id>", container }`), or what a test passes. */
export interface HardenContainerArgument {
  id?: string;
  container?: { id?: string };
  seconds?: number;
  exercise?: string;
  apply?: boolean;
}

function containerIdOf(arg: HardenContainerArgument | undefined): string | undefined {
  if (arg?.container?.id) return arg.container.id;
  // Tree node ids look like "<engine>/container/<id>".
  return arg?.id?.includes('/container/') ? arg.id.slice(arg.id.lastIndexOf('/container/') + '/container/'.length) : arg?.id || undefined;
}

/**
 * "Harden from Observation…" on a running container: the trial on a copy of it. A container
 * compose started from a file in this workspace ends in the diff view of that file; any other
 * ends in a new untitled document holding the hardened compose service and `docker run` command.
 */
async function hardenContainerCommand(ctx: BulkheadContext, documents: HardenedDocuments, arg?: HardenContainerArgument): Promise<HardenCommandResult | undefined> {
  const id = containerIdOf(arg);
  if (!id) {
    void vscode.window.showInformationMessage('Use "Harden from Observation…" on a container in the Containers view.');
    return undefined;
  }
  if (!trusted()) return undefined;
  const settings = await askTrialSettings(`container ${id.slice(0, 12)}`, arg ?? {});
  if (!settings) return undefined;
  const { hardenRunningContainer } = await import('../../docker/harden/container');
  const result = await withTrialProgress(ctx, `Hardening container ${id.slice(0, 12)}`, settings, (trial) => hardenRunningContainer({ ...trial, container: id }));
  const { report } = result;
  if ('composeFile' in result.source && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(result.source.composeFile))) {
    return offerDiff(ctx, documents, result.source.composeFile, report.service, report, arg?.apply);
  }
  const { hardenText } = await import('../../docker/harden/report');
  ctx.log.info(`harden container ${id}:\n${hardenText(report, report.seccompFile, false, true)}`);
  const failed = failure(ctx, report.service, report);
  if (failed || !result.composeService) return failed ?? { verified: false, applied: false };
  const seccomp = report.seccompText ? `# The seccomp profile is in the JSON document opened beside this one: save it as ${path.basename(report.seccompFile)}.\n` : '';
  const content = `# ${summaryOf(report.service, report)}\n${seccomp}# docker run:\n# ${escapeControlOneLine(result.runCommand ?? '')}\n\n${result.composeService}`;
  const document = await vscode.workspace.openTextDocument({ language: 'yaml', content });
  await vscode.window.showTextDocument(document, { preview: false });
  if (report.seccompText) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'json', content: report.seccompText }), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  return { verified: true, hardenedUri: document.uri.toString(), applied: false };
}

/** Replaces the compose file's text through the editor (undoable, saved), only if it still holds what the trial read. */
/** Why the hardened text was not applied, or undefined when it was. */
async function applyHardening(fileUri: vscode.Uri, original: string, hardened: string, seccomp?: { file: string; text: string }): Promise<string | undefined> {
  const document = await vscode.workspace.openTextDocument(fileUri);
  if (document.getText() !== original) return `${path.basename(fileUri.fsPath)} changed since the trial read it: not rewritten (run Harden again).`;
  if (seccomp) {
    const { writeFileAtomic } = await import('../../workspace/atomicWrite');
    writeFileAtomic(seccomp.file, seccomp.text);
  }
  // Edited and saved in an editor of its own beside the diff (which shows it read-only on its left side).
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
  const edit = new vscode.WorkspaceEdit();
  edit.replace(fileUri, new vscode.Range(document.positionAt(0), document.positionAt(original.length)), hardened);
  if (!(await vscode.workspace.applyEdit(edit))) return `the editor refused the edit of ${path.basename(fileUri.fsPath)}.`;
  return (await document.save()) ? undefined : `${path.basename(fileUri.fsPath)} could not be saved.`;
}
