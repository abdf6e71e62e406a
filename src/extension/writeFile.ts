import * as vscode from 'vscode';
import { writeFileAtomic } from '../workspace/atomicWrite';

/**
 * Writes a whole file the user asked for (a profile, an exported report): local files atomically
 * (temp file, fsync, rename), so a crash never leaves half a file; other schemes through VS Code.
 */
export async function writeWholeFile(uri: vscode.Uri, text: string): Promise<void> {
  if (uri.scheme === 'file') writeFileAtomic(uri.fsPath, text);
  else await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
}
