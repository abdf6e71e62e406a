import { defineRule } from '../rule';
import { leftoverReports } from '../image/leftovers';

export default defineRule({
  meta: {
    id: 'package-cache-left',
    title: 'Package manager cache left in the image',
    severity: 'info',
    targets: ['image'],
    rationale:
      'Download caches of pip, npm, yum and dnf only make the image bigger and slower to pull; they can also hold packages from private indexes. (apt and apk caches have their own rules: apt-lists-not-cleaned, apk-cache-kept.)',
    remediation: 'Install without a cache (`pip install --no-cache-dir`, `npm ci && npm cache clean --force`, `dnf install … && dnf clean all`) in the same RUN, or use a cache mount (`RUN --mount=type=cache,target=/root/.cache/pip`).',
    refs: {},
  },
  image: (ctx) => leftoverReports(ctx, ['pip-cache', 'npm-cache', 'yum-cache', 'dnf-cache']),
});
