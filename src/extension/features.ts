import type { BulkheadContext } from './context';
import { registerPendingCommands } from './pending';
import { registerLinting } from './linting/register';
import { registerContainers } from './containers/register';
import { registerHostAudit } from './audit/register';
import { registerProfile } from './profile/register';

/**
 * Every feature registers itself here, in order. A registrar must be cheap: it wires commands,
 * providers and views, and defers parsing, Docker connections and webviews until first use.
 * Each owner adds one line.
 */
export const FEATURES: ReadonlyArray<(ctx: BulkheadContext) => void> = [
  registerPendingCommands,
  registerLinting,
  registerContainers,
  registerHostAudit,
  registerProfile,
];
