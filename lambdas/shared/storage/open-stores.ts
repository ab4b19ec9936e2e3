import { AuditLog } from './audit-log';
import { IncidentStore } from './incident-store';
import { SilenceStore } from './silences';
import type { StoreOptions } from './store-options';

export type { StoreOptions } from './store-options';

/** The stores of the audit table. */
export interface Stores {
  /** Automatic actions and the guard rails' cooldowns and windows. */
  readonly audit: AuditLog;
  /** Incidents, their timelines and the grouping indexes. */
  readonly incidents: IncidentStore;
  /** Ad-hoc silences. */
  readonly silences: SilenceStore;
}

/**
 * Opens the stores of the audit table: the one way every Lambda, the CLI, the drill, the scripts, the bench and
 * the tests get them, so that all of them share one table, one retention and one clock. Opening sends nothing.
 */
export function openStores(options: StoreOptions): Stores {
  return {
    audit: new AuditLog(options.dynamo, options.table, options.retentionDays),
    incidents: new IncidentStore(options),
    silences: new SilenceStore(options.dynamo, options.table, options.retentionDays),
  };
}
