import { isSeq } from 'yaml';
import type { Report } from '../rule';
import type { ComposeContext } from './context';
import { fix, setScalarEdits, svc } from './checks';
import { insertServiceKeyEdit } from './edit';
import { composeBool, isInterpolated, mapGet, pairRange, rangeOf, scalarString } from './values';
import { imagePinning, isRootUser } from '../runtime/judge';
import { eolOf } from '../text';

// The compose side of the concerns whose rule modules are shared with Dockerfiles
// (user-root, healthcheck-missing, image-unpinned).

/** The uid:gid the fixes switch to (the Dockerfile fixes create the same one). */
export const NON_ROOT_USER = '"10001:10001"';

export function composeUserRoot(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const field = s.get('user');
    const user = field ? scalarString(field.value) : undefined;
    if (field && (user === undefined || isInterpolated(user) || !isRootUser(user))) continue;
    if (!field && s.partial) continue;
    reports.push({
      message: field ? `${svc(s)} runs as root (user: ${user})` : `${svc(s)} sets no user: it runs as the image's user, root unless the image sets USER`,
      range: field ? pairRange(field.pair) : s.range,
      // Files owned by root in the image or volumes may become unreadable/unwritable.
      severity: field ? undefined : 'info',
      fixes: fix(`Run as ${NON_ROOT_USER.replace(/"/g, '')}`, false, field ? setScalarEdits(ctx, s, 'user', field, NON_ROOT_USER) : [insertServiceKeyEdit(ctx, s, 'user', { scalar: NON_ROOT_USER })]),
    });
  }
  return reports;
}

const HEALTHCHECK_SNIPPET = 'healthcheck:\n  test: ["CMD-SHELL", "${1:wget -q --spider http://127.0.0.1:${2:8080}/ || exit 1}"]\n  interval: 30s\n  timeout: 5s\n  retries: 3';

export function composeHealthcheck(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const field = s.get('healthcheck');
    if (field) {
      const disable = mapGet(ctx, field.value, 'disable');
      const test = mapGet(ctx, field.value, 'test');
      const testNode = test?.node;
      const first = isSeq(testNode) ? scalarString(ctx.resolve(testNode.items[0])) : scalarString(testNode);
      if (composeBool(disable?.node) === true || first?.trim().toUpperCase() === 'NONE') {
        reports.push({ message: `${svc(s)} disables its health check`, range: pairRange(disable?.pair ?? test?.pair ?? field.pair), severity: 'warning', fixes: [] });
      }
      continue;
    }
    if (s.partial) continue;
    const at = insertServiceKeyEdit(ctx, s, 'x', { scalar: 'x' });
    const { keyColumn, step } = s.indentation();
    const eol = eolOf(ctx.text);
    const body = eol + HEALTHCHECK_SNIPPET.split('\n').map((line) => ' '.repeat(keyColumn) + line.replace(/^ {2}/, ' '.repeat(step))).join(eol);
    reports.push({
      message: `${svc(s)} has no healthcheck: unless the image defines one, the engine cannot tell a hung service from a healthy one`,
      range: s.range,
      fixes: [{ title: 'Add a healthcheck template', safe: false, preferred: true, edits: [], snippet: { at: at.start, body } }],
    });
  }
  return reports;
}

export function composeImageUnpinned(ctx: ComposeContext): Report[] {
  const reports: Report[] = [];
  for (const s of ctx.services) {
    const field = s.get('image');
    const image = scalarString(field?.value);
    // With `build:` the image is built and tagged locally, not pulled.
    if (!field || !image || isInterpolated(image) || s.has('build')) continue;
    const { state, tag } = imagePinning(image);
    if (state === 'pinned') continue;
    const range = rangeOf(field.value);
    if (state === 'latest') reports.push({ message: `${svc(s)} uses the mutable :latest tag (${image})`, range, fixes: [] });
    else if (state === 'untagged') reports.push({ message: `${svc(s)} image ${image} has no tag, so it means :latest`, range, fixes: [] });
    else reports.push({ message: `${svc(s)} image ${image} is not pinned by digest: the tag ${tag} can be moved`, range, severity: 'info', fixes: [] });
  }
  return reports;
}
