import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeWholeFile } from '../writeFile';
import type { BulkheadContext } from '../context';
import { createClient, resolveDefaultEngine } from '../../docker/connection';
import { observeContainer, type ObservedContainer } from '../../docker/profile';
import { verificationText, verifyProfile, type ProfileVerification } from '../../docker/profile-verify';
import { safeText } from '../../engine/output/escape';
import { capabilitiesDocument, profileFromStrace, serializeSeccompProfile, type ObservedProfile } from '../../engine/profile';
import { composeWiringEdits, profiledRunCommand, type ProfileWiring } from '../../engine/profile/wire';
import { capabilitiesFileFor, COMPOSE_DOCUMENTS, ProfileCodeActions } from './codeActions';

/** What the command may be given: a container id, a tree node (`{ id }` / `{ container: { id } }`), or test options. */
export type ProfileArgument =
  | string
  | {
      id?: string;
      container?: { id?: string };
      /** Skip the duration pick. */
      seconds?: number;
      /** Read this strace log instead of observing a container. */
      straceLog?: string;
      /** Apply this follow-up without asking (tests and scripted use). */
      then?: 'compose' | 'copyRun' | 'none';
      /** false: write without starting the image under the profile first. */
      verify?: boolean;
      /** For scripted calls (`then` set): what to do with a profile that failed verification (default cancel). */
      ifUnverified?: 'write' | 'cancel';
    };

/** What the command returns (for tests and other commands). */
export interface ProfileCommandResult {
  profileUri: string;
  allowed: string[];
  observed: number;
  capAdd: string[];
  /** The compose file edited, when the profile was wired into a service. */
  composeFile?: string;
  runCommand?: string;
  /** The trial start under the profile; absent for a strace log or when skipped. */
  verification?: Pick<ProfileVerification, 'verified' | 'how' | 'problems' | 'hint' | 'trialId'>;
}

const DURATIONS: { label: string; seconds: number }[] = [
  { label: '10 seconds', seconds: 10 },
  { label: '30 seconds', seconds: 30 },
  { label: '1 minute', seconds: 60 },
  { label: '2 minutes', seconds: 120 },
  { label: '5 minutes', seconds: 300 },
];

// Docker's default profile allows this many names on x86_64 with default caps (moby default.json).
const DOCKER_DEFAULT_ALLOWED = 357;

export function registerProfile(ctx: BulkheadContext): void {
  ctx.subscribe(
    vscode.commands.registerCommand('bulkhead.profileContainer', (arg?: ProfileArgument) => profileCommand(ctx, arg)),
    vscode.languages.registerCodeActionsProvider(COMPOSE_DOCUMENTS, new ProfileCodeActions(), ProfileCodeActions.metadata),
  );
}

function containerIdOf(arg: ProfileArgument | undefined): string | undefined {
  if (typeof arg === 'string') return arg || undefined;
  if (!arg) return undefined;
  if (arg.container?.id) return arg.container.id;
  // Tree node ids look like "<engine>/container/<id>".
  if (arg.id) return arg.id.includes('/container/') ? arg.id.slice(arg.id.lastIndexOf('/container/') + '/container/'.length) : arg.id;
  return undefined;
}

async function profileCommand(ctx: BulkheadContext, arg?: ProfileArgument): Promise<ProfileCommandResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Profiling runs strace and talks to Docker: trust this workspace first.');
    return undefined;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Open a folder first: the profile is written to its profiles/ directory.');
    return undefined;
  }
  const options = typeof arg === 'object' ? arg : {};
  const docker = createClient(resolveDefaultEngine());
  let containerId = containerIdOf(arg);
  let straceLog = options.straceLog;

  if (!containerId && !straceLog) {
    const picked = await pickSource(docker);
    if (!picked) return undefined;
    if (picked.kind === 'log') straceLog = picked.path;
    else containerId = picked.id;
  }

  let profile: ObservedProfile;
  let observed: ObservedContainer | undefined;
  let baseName: string;
  if (straceLog) {
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(straceLog))).toString('utf8');
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot read ${straceLog}: ${(e as Error).message}`);
      return undefined;
    }
    profile = profileFromStrace(text);
    if (profile.problem) {
      void vscode.window.showErrorMessage(`${path.basename(straceLog)}: ${profile.problem}`);
      return undefined;
    }
    baseName = path.basename(straceLog).replace(/\.[^.]*$/, '');
  } else {
    const seconds = options.seconds ?? (await vscode.window.showQuickPick(DURATIONS, { title: 'Profile Container: observe for how long?', placeHolder: 'Run the workload (requests, jobs) while Bulkhead watches' }))?.seconds;
    if (!seconds) return undefined;
    observed = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Profiling ${containerId!.slice(0, 12)}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let elapsed = 0;
        const tick = setInterval(() => {
          elapsed++;
          if (elapsed <= seconds) progress.report({ increment: 100 / seconds, message: `${elapsed}/${seconds} s: exercise the container now` });
        }, 1000);
        try {
          return await observeContainer(docker, containerId!, { seconds, signal: controller.signal, onProgress: (m) => ctx.log.info(`profile: ${m}`) });
        } finally {
          clearInterval(tick);
        }
      },
    );
    if (observed.error || !observed.profile) {
      ctx.log.warn(`profile ${containerId}: ${observed.error}`);
      const message = `Cannot profile ${observed.name}: ${observed.error ?? 'nothing observed'}`;
      // Scripted calls (options.then) get the message without waiting on a button.
      if (options.then) {
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
      const choice = await vscode.window.showErrorMessage(message, 'Use a strace Log…');
      const log = choice ? await pickLogFile() : undefined;
      return log ? profileCommand(ctx, { straceLog: log.fsPath }) : undefined;
    }
    profile = observed.profile;
    baseName = observed.name;
  }

  const profileText = serializeSeccompProfile(profile.seccomp.profile);
  let verification: ProfileVerification | undefined;
  if (observed && options.verify !== false) {
    verification = await verifyBeforeWriting(ctx, docker, observed, profileText, profile.capAdd);
    if (verification.cancelled) return undefined;
    if (!verification.verified) {
      const message = `The profile of ${safeText(observed.name, 100)} was not written: ${unverifiedSummary(verification)}`;
      const choice = options.then ? (options.ifUnverified === 'write' ? WRITE_ANYWAY : undefined) : await vscode.window.showErrorMessage(message, WRITE_ANYWAY, 'Cancel');
      if (options.then && choice !== WRITE_ANYWAY) void vscode.window.showErrorMessage(message);
      if (choice !== WRITE_ANYWAY) return undefined;
      ctx.log.warn(`profile: written although it failed verification (${WRITE_ANYWAY})`);
    }
  }

  const fileName = `${baseName.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'container'}.json`;
  const profileUri = vscode.Uri.joinPath(folder.uri, 'profiles', fileName);
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, 'profiles'));
  await writeWholeFile(profileUri, profileText);
  // Saved beside it so the compose code action can wire the capabilities in later.
  await writeWholeFile(capabilitiesFileFor(profileUri), capabilitiesDocument(profile));
  const result: ProfileCommandResult = { profileUri: profileUri.toString(), allowed: profile.seccomp.allowed, observed: profile.counts.size, capAdd: profile.capAdd };
  if (verification) result.verification = { verified: verification.verified, how: verification.how, problems: verification.problems, hint: verification.hint, trialId: verification.trialId };
  ctx.log.info(
    `profile: wrote ${profileUri.fsPath}: ${profile.counts.size} observed + ${profile.seccomp.runtimeOnly.length} runtime = ${profile.seccomp.allowed.length} syscalls; caps ${profile.capAdd.join(',') || 'none'}; ` +
      profile.capabilities.map((c) => `${c.capability} ${c.confidence} (${c.reason})`).join('; '),
  );

  for (const warning of profile.log.warnings) ctx.log.warn(`profile: ${warning}`);

  const compose = composeTarget(observed);
  const actions = [...(compose ? ['Wire into Compose Service'] : []), 'Copy docker run Command', 'Open Profile'];
  const verified = !verification ? '' : verification.verified ? ' It starts the image (verified).' : ' It did NOT pass verification (see the log).';
  const summary =
    `Profile ${fileName}: ${profile.seccomp.allowed.length} system calls allowed (Docker's default allows about ${DOCKER_DEFAULT_ALLOWED}). ` +
    `Capabilities: ${profile.capAdd.length ? profile.capAdd.join(', ') : 'none'}${profile.capabilities.some((c) => c.confidence === 'likely') ? ` (maybe also ${profile.capabilities.filter((c) => c.confidence === 'likely').map((c) => c.capability).join(', ')}: see the log)` : ''}.${verified}`;
  const choice =
    options.then === 'compose' ? 'Wire into Compose Service' : options.then === 'copyRun' ? 'Copy docker run Command' : options.then === 'none' ? undefined : await vscode.window.showInformationMessage(summary, ...actions);
  if (choice === 'Wire into Compose Service' && compose) {
    const edited = await wireIntoCompose(compose.file, compose.service, profileUri, profile.capAdd);
    if (edited) result.composeFile = compose.file;
  } else if (choice === 'Copy docker run Command') {
    const relative = `./${path.relative(folder.uri.fsPath, profileUri.fsPath).split(path.sep).join('/')}`;
    result.runCommand = profiledRunCommand(observed?.image || 'IMAGE', [], { profilePath: relative, capAdd: profile.capAdd });
    await vscode.env.clipboard.writeText(result.runCommand);
    void vscode.window.showInformationMessage('Copied a hardened docker run command (run it from the workspace folder).');
  } else if (choice === 'Open Profile') {
    await vscode.window.showTextDocument(profileUri);
  }
  return result;
}

const WRITE_ANYWAY = 'Write anyway';

/** Starts the observed image under the profile (and without it, to compare) behind a cancellable progress notification. */
async function verifyBeforeWriting(ctx: BulkheadContext, docker: ReturnType<typeof createClient>, observed: ObservedContainer, profileText: string, capAdd: string[]): Promise<ProfileVerification> {
  const verification = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Verifying the profile of ${safeText(observed.name, 100)}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        return await verifyProfile(docker, observed.inspect, {
          profileText,
          capAdd,
          signal: controller.signal,
          onProgress: (m) => {
            progress.report({ message: m });
            ctx.log.info(`profile: verifying: ${m}`);
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  );
  const text = `profile: ${verificationText(verification)}`;
  if (verification.verified) ctx.log.info(text);
  else ctx.log.warn(text);
  return verification;
}

/** One line for a notification: what failed, the likely cause and the trial's last log line (the whole tail is in the log). */
function unverifiedSummary(v: ProfileVerification): string {
  if (v.error) return `${v.error}.`;
  const last = v.logTail?.split('\n').filter(Boolean).pop();
  return [`under the profile: ${v.problems.join('; ')} (compared with the same start under Docker's default profile and the same capabilities).`, v.hint ? `Likely cause: ${v.hint}.` : '', last ? `Its log ends: ${safeText(last, 200)}` : ''].filter(Boolean).join(' ');
}

async function pickSource(docker: ReturnType<typeof createClient>): Promise<{ kind: 'container'; id: string } | { kind: 'log'; path: string } | undefined> {
  type Item = vscode.QuickPickItem & { id?: string; log?: boolean };
  const items: Item[] = [];
  try {
    const running = await docker.listContainers();
    for (const c of running) items.push({ label: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), description: c.Image, detail: c.Status, id: c.Id });
  } catch (e) {
    items.push({ label: '$(warning) Docker is not reachable', description: (e as Error).message.split('\n')[0] });
  }
  items.push({ label: '$(file) From a strace log file…', description: 'strace -f -o FILE -p PID, recorded elsewhere', log: true });
  const pick = await vscode.window.showQuickPick(items, { title: 'Profile Container', placeHolder: 'A running container to observe' });
  if (!pick) return undefined;
  if (pick.log) {
    const uri = await pickLogFile();
    return uri ? { kind: 'log', path: uri.fsPath } : undefined;
  }
  return pick.id ? { kind: 'container', id: pick.id } : undefined;
}

async function pickLogFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'strace log to profile', openLabel: 'Profile' });
  return picked?.[0];
}

/** The compose file and service the container came from, when compose started it and the file is here. */
function composeTarget(observed: ObservedContainer | undefined): { file: string; service: string } | undefined {
  const labels = observed?.inspect.Config?.Labels ?? undefined;
  const service = labels?.['com.docker.compose.service'];
  const files = labels?.['com.docker.compose.project.config_files']?.split(',').map((f) => f.trim()).filter(Boolean) ?? [];
  const file = files.find((f) => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(f)));
  return service && file ? { file, service } : undefined;
}

async function wireIntoCompose(file: string, service: string, profileUri: vscode.Uri, capAdd: string[]): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const relative = path.relative(path.dirname(file), profileUri.fsPath).split(path.sep).join('/');
  const wiring: ProfileWiring = { profilePath: relative.startsWith('.') ? relative : `./${relative}`, capAdd };
  const { edits, error } = composeWiringEdits(document.getText(), service, wiring);
  if (error) {
    void vscode.window.showErrorMessage(`Cannot wire the profile into ${path.basename(file)}: ${error}`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied) await vscode.window.showTextDocument(document);
  return applied;
}
