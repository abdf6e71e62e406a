import * as vscode from 'vscode';
import type { FileKind } from '../../engine/model';
import { kindOfFileName } from '../../engine/files';

/** Documents Bulkhead lints: by language, and by file name when the language is generic. */
export const LINTED_DOCUMENTS: vscode.DocumentSelector = [
  { language: 'dockerfile' },
  { language: 'dockercompose' },
  { language: 'yaml', pattern: '**/{docker-compose,compose}*.{yml,yaml}' },
  { pattern: '**/{Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*}' },
];

export function kindOfDocument(doc: vscode.TextDocument): FileKind | undefined {
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return undefined;
  if (doc.languageId === 'dockerfile') return 'dockerfile';
  if (doc.languageId === 'dockercompose') return 'compose';
  const byName = kindOfFileName(doc.fileName);
  if (byName === 'compose' && doc.languageId !== 'yaml') return undefined;
  return byName;
}
