import * as path from 'node:path';
import * as vscode from 'vscode';
import { createComposeContext } from '../../engine/compose/context';
import { composeWiringEdits } from '../../engine/profile/wire';

/** Compose files, by language or, for plain YAML, by name (as the linter selects them). */
export const COMPOSE_DOCUMENTS: vscode.DocumentSelector = [{ language: 'dockercompose' }, { language: 'yaml', pattern: '**/{docker-compose,compose}*.{yml,yaml}' }];

const PROFILE_ACTION_KIND = vscode.CodeActionKind.RefactorRewrite.append('bulkhead.profile');

/** The file written beside a profile with the capabilities observed (`bulkhead profile --caps-out` format). */
export function capabilitiesFileFor(profile: vscode.Uri): vscode.Uri {
  return profile.with({ path: profile.path.replace(/\.json$/, '.capabilities.json') });
}

/** Whether a profile's base name belongs to a service: `web`, `proj_web_1`, `proj-web-1`. */
function profileMatchesService(base: string, service: string): boolean {
  return base === service || [`_${service}_`, `-${service}-`].some((s) => base.includes(s)) || base.endsWith(`_${service}`) || base.endsWith(`-${service}`);
}

/**
 * On a compose service, offers to wire in a profile that `Profile Container…` (or the CLI) wrote
 * for it under profiles/: seccomp, and cap_drop ALL + cap_add when its capabilities were saved.
 */
export class ProfileCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [PROFILE_ACTION_KIND] };

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): Promise<vscode.CodeAction[]> {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder || document.uri.scheme !== 'file') return [];
    const service = serviceAt(document, document.offsetAt(range.start));
    if (!service) return [];
    let entries: [string, vscode.FileType][];
    const profilesDir = vscode.Uri.joinPath(folder.uri, 'profiles');
    try {
      entries = await vscode.workspace.fs.readDirectory(profilesDir);
    } catch {
      return [];
    }
    const actions: vscode.CodeAction[] = [];
    const profiles = entries
      .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.json') && !name.endsWith('.capabilities.json'))
      .map(([name]) => name)
      .filter((name) => profileMatchesService(name.slice(0, -'.json'.length), service))
      .sort();
    for (const name of profiles) {
      const profileUri = vscode.Uri.joinPath(profilesDir, name);
      const capAdd = await readCapAdd(capabilitiesFileFor(profileUri));
      const relative = path.relative(path.dirname(document.uri.fsPath), profileUri.fsPath).split(path.sep).join('/');
      const { edits, error } = composeWiringEdits(document.getText(), service, { profilePath: relative.startsWith('.') ? relative : `./${relative}`, capAdd });
      if (error || !edits.length) continue;
      const what = capAdd === undefined ? 'seccomp only: no capabilities file' : `cap_drop ALL, cap_add ${capAdd.length ? capAdd.join(', ') : 'nothing'}`;
      const action = new vscode.CodeAction(`Harden service "${service}" with observed profile profiles/${name} (${what})`, PROFILE_ACTION_KIND);
      action.edit = new vscode.WorkspaceEdit();
      for (const e of edits) action.edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
      actions.push(action);
    }
    return actions;
  }
}

async function readCapAdd(uri: vscode.Uri): Promise<string[] | undefined> {
  try {
    const data = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')) as { capAdd?: unknown };
    return Array.isArray(data.capAdd) && data.capAdd.every((c) => typeof c === 'string' && /^[A-Z_]+$/.test(c)) ? (data.capAdd as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The service whose block contains the offset (its key line included), as the linter parses the file. */
export function serviceAt(document: vscode.TextDocument, offset: number): string | undefined {
  const { ctx } = createComposeContext(document.getText(), document.uri.fsPath);
  const service = ctx?.services.find((s) => offset >= s.range.start && offset <= (s.map.range?.[2] ?? s.range.end));
  return service?.name;
}
