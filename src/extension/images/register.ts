import * as vscode from 'vscode';
import type { SeverityOverride } from '../../engine/model';
import { checkImage } from '../../engine/image/lint';
import { createClient, resolveDefaultEngine } from '../../docker/connection';
import { listLocalImages, type LocalImage } from '../../docker/image-list';
import { ImageReadError, readImage } from '../../docker/image-reader';
import type { BulkheadContext } from '../context';
import { imageLabel, ImagesTree, type ImageNode } from './tree';

const IMAGES_VIEW_ID = 'bulkhead.images';

/**
 * The Images view and "Audit Image…": registering creates the view only; the engine is asked for
 * images when the view shows, and layers are read only for the image a user audits.
 */
export function registerImages(ctx: BulkheadContext): void {
  const client = () => createClient(resolveDefaultEngine(), { timeoutMs: 60000 });
  const tree = new ImagesTree(() => listLocalImages(client()));
  const view = vscode.window.createTreeView<ImageNode>(IMAGES_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });

  const pick = async (): Promise<LocalImage | undefined> => {
    const images = await vscode.window.withProgress({ location: { viewId: IMAGES_VIEW_ID } }, () => listLocalImages(client()));
    const chosen = await vscode.window.showQuickPick(
      images.map((image) => ({ label: imageLabel(image), description: image.containers.length ? `used by ${image.containers.length} container(s)` : '', image })),
      { placeHolder: 'Image to audit (its config, history and every layer)' },
    );
    return chosen?.image;
  };

  const audit = async (arg?: ImageNode | string): Promise<number | undefined> => {
    const image = typeof arg === 'string' ? (tree.images.find((i) => i.tags.includes(arg) || i.id === arg) ?? { id: arg, tags: [arg], sizeBytes: 0, containers: [] }) : arg?.kind === 'image' ? arg.image : await pick();
    if (!image) return undefined;
    const severities = vscode.workspace.getConfiguration('bulkhead').get<Record<string, SeverityOverride>>('rules') ?? {};
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Auditing image ${imageLabel(image)}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        const context = await readImage(client(), image.id, { signal: controller.signal, onProgress: (bytes) => progress.report({ message: `${(bytes / 1048576).toFixed(0)} MB of layers read` }) });
        const { findings } = checkImage(context, { severities });
        tree.setOutcome(image.id, { findings });
        if (view.visible) await view.reveal(tree.nodeOf(image), { expand: true, select: true }).then(undefined, () => undefined);
        ctx.log.info(`image ${imageLabel(image)}: ${findings.length} finding(s)`);
        return findings.length;
      } catch (e) {
        const message = e instanceof ImageReadError && e.reason === 'cancelled' ? 'cancelled' : (e as Error).message;
        tree.setOutcome(image.id, { error: message });
        if (message !== 'cancelled') void vscode.window.showErrorMessage(`Bulkhead: cannot audit ${imageLabel(image)}: ${message}`);
        return undefined;
      } finally {
        cancel.dispose();
      }
    });
  };

  ctx.subscribe(
    tree,
    view,
    vscode.commands.registerCommand('bulkhead.auditImage', audit),
    vscode.commands.registerCommand('bulkhead.images.refresh', () => tree.refresh()),
    // Not contributed to the palette: lets integration tests read what the view holds.
    vscode.commands.registerCommand('bulkhead.images.viewState', () => ({
      images: tree.images.map((i) => ({ id: i.id, tags: i.tags, containers: i.containers })),
      outcomes: Object.fromEntries([...tree.outcomes].map(([id, o]) => [id, 'error' in o ? { error: o.error } : { findings: o.findings.map((f) => ({ ruleId: f.ruleId, layer: f.layer, path: f.path })) }])),
      problem: tree.problem,
    })),
  );
}
