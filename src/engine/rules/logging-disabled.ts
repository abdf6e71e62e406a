import { defineRule, type Report } from '../rule';
import { fix, svc } from '../compose/checks';
import { replaceNodeEdit } from '../compose/edit';
import { mapGet, pairRange, scalarString } from '../compose/values';
import { hostConfigOf } from '../runtime/container';

export default defineRule({
  meta: {
    id: 'logging-disabled',
    title: 'Logging disabled',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale: 'With the `none` log driver nothing the container prints is kept: an intrusion or a crash leaves no trace to investigate.',
    remediation: 'Remove `logging.driver: none`; use the default json-file (with `max-size`/`max-file` options) or a central driver.',
    refs: {},
    examples: {
      compose: {
        bad: ['services:\n  app:\n    image: example/app:1.0\n    logging:\n      driver: none\n'],
        good: ['services:\n  app:\n    image: example/app:1.0\n    logging:\n      driver: json-file\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      const logging = s.get('logging');
      const driver = mapGet(ctx, logging?.value, 'driver');
      if (!logging || !driver || scalarString(driver.node)?.trim().toLowerCase() !== 'none') continue;
      const editable = !logging.shared && !logging.valueShared;
      reports.push({
        message: `${svc(s)} disables logging (driver: none)`,
        range: pairRange(driver.pair),
        // json-file is the engine's default driver; replacing the value keeps `logging:` valid.
        // Safe: the container behaves the same, only its output is kept.
        fixes: fix('Use the json-file log driver', true, editable ? [replaceNodeEdit(driver.pair.value, 'json-file')] : undefined),
      });
    }
    return reports;
  },
  container(ctx) {
    const type = hostConfigOf(ctx.inspect).LogConfig?.Type;
    return type === 'none' ? [{ message: 'logging is disabled (log driver none)', evidence: 'HostConfig.LogConfig.Type="none"' }] : [];
  },
});
