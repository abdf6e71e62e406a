import type { BulkheadContext } from './context';
import { registerLinting } from './linting/register';
import { registerWorkspaceAudit } from './workspace/register';
import { registerTeamConfigDiagnostics } from './workspace/teamConfigDiagnostics';
import { registerLanguageStatus } from './status';
import { registerContainers } from './containers/register';
import { registerHostAudit } from './audit/register';
import { registerProfile } from './profile/register';
import { registerImages } from './images/register';
import { registerHarden } from './harden/register';

/**
 * Every feature registers itself here, in order. A registrar must be cheap: it wires commands,
 * providers and views, and defers parsing, Docker connections and webviews until first use.
 * Each owner adds one line.
 */
export const FEATURES: ReadonlyArray<(ctx: BulkheadContext) => void> = [
  registerLinting,
  registerWorkspaceAudit,
  registerTeamConfigDiagnostics,
  registerLanguageStatus,
  registerContainers,
  registerHostAudit,
  registerProfile,
  registerImages,
  registerHarden,
];
