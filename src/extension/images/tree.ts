import * as vscode from 'vscode';
import type { Severity } from '../../engine/model';
import { safeText } from '../../engine/output/escape';
import type { ImageFinding } from '../../engine/image/lint';
import type { LocalImage } from '../../docker/image-list';

export type ImageNode =
  | { kind: 'image'; image: LocalImage }
  | { kind: 'finding'; image: LocalImage; finding: ImageFinding }
  | { kind: 'usedBy'; image: LocalImage }
  | { kind: 'message'; text: string; image?: LocalImage };

/** What an audit left for an image: its findings, or why it could not be read. */
export type AuditOutcome = { findings: ImageFinding[] } | { error: string };

const ICON: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };

/** `name:tag` or the short id of an untagged image. */
export function imageLabel(image: LocalImage): string {
  return image.tags[0] ?? image.id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Local images with, once audited, their findings and the containers that use them. Listing needs
 * the engine only when the view shows; layers are read only when the user asks (Audit Image…).
 */
export class ImagesTree implements vscode.TreeDataProvider<ImageNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ImageNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly outcomes = new Map<string, AuditOutcome>();
  images: LocalImage[] = [];
  problem?: string;
  /** One node object per image id, so reveal() finds the node the view shows. */
  private readonly imageNodes = new Map<string, ImageNode & { kind: 'image' }>();

  constructor(private readonly list: () => Promise<LocalImage[]>) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  setOutcome(imageId: string, outcome: AuditOutcome): void {
    this.outcomes.set(imageId, outcome);
    this.changed.fire(undefined);
  }

  async getChildren(node?: ImageNode): Promise<ImageNode[]> {
    if (!node) {
      try {
        this.images = await this.list();
        this.problem = undefined;
      } catch (e) {
        this.images = [];
        this.problem = (e as Error).message;
        return [{ kind: 'message', text: `Cannot list images: ${this.problem}` }];
      }
      this.imageNodes.clear();
      return this.images.map((image) => this.nodeOf(image));
    }
    if (node.kind !== 'image') return [];
    const image = node.image;
    const outcome = this.outcomes.get(image.id);
    const usedBy: ImageNode[] = image.containers.length ? [{ kind: 'usedBy', image }] : [];
    if (!outcome) return [{ kind: 'message', text: 'Not audited yet: run "Audit Image" (inline button)', image }, ...usedBy];
    if ('error' in outcome) return [{ kind: 'message', text: `Not audited: ${outcome.error}`, image }, ...usedBy];
    const findings: ImageNode[] = outcome.findings.map((finding) => ({ kind: 'finding', image, finding }));
    return [...(findings.length ? findings : [{ kind: 'message' as const, text: 'No findings', image }]), ...usedBy];
  }

  /** The view's node for an image (created when the list did not include it yet). */
  nodeOf(image: LocalImage): ImageNode & { kind: 'image' } {
    let node = this.imageNodes.get(image.id);
    if (!node) this.imageNodes.set(image.id, (node = { kind: 'image', image }));
    node.image = image;
    return node;
  }

  getParent(node: ImageNode): ImageNode | undefined {
    return node.kind === 'image' || !node.image ? undefined : this.nodeOf(node.image);
  }

  getTreeItem(node: ImageNode): vscode.TreeItem {
    switch (node.kind) {
      case 'image': {
        const outcome = this.outcomes.get(node.image.id);
        const item = new vscode.TreeItem(safeText(imageLabel(node.image), 200), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.image.id;
        item.contextValue = 'image';
        item.iconPath = new vscode.ThemeIcon('package');
        const count = outcome && 'findings' in outcome ? `${outcome.findings.length} finding(s)` : outcome ? 'not audited' : '';
        item.description = [count, `${(node.image.sizeBytes / 1048576).toFixed(1)} MB`].filter(Boolean).join(' · ');
        item.tooltip = `${node.image.id}\n${node.image.tags.map((t) => safeText(t, 200)).join('\n')}`;
        return item;
      }
      case 'finding': {
        const f = node.finding;
        const item = new vscode.TreeItem(safeText(f.message, 300));
        item.id = `${node.image.id}/${f.ruleId}/${f.layer ?? ''}/${f.path ?? ''}/${f.message}`;
        item.contextValue = 'imageFinding';
        item.iconPath = new vscode.ThemeIcon(ICON[f.severity]);
        item.description = [f.ruleId, f.layer !== undefined ? `layer ${f.layer}` : ''].filter(Boolean).join(' · ');
        item.tooltip = [safeText(f.message), f.evidence ? safeText(f.evidence) : '', f.path ? `path: ${safeText(f.path)}` : ''].filter(Boolean).join('\n');
        return item;
      }
      case 'usedBy': {
        const item = new vscode.TreeItem(`Used by ${node.image.containers.map((c) => safeText(c, 100)).join(', ')}`);
        item.iconPath = new vscode.ThemeIcon('vm');
        return item;
      }
      case 'message':
        return new vscode.TreeItem(safeText(node.text, 500));
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
