import type { Config } from '../../lib/core/config/schema';
import type { HttpRuntime } from '../integrations/http';
import type { AuditLog } from '../shared/storage/audit-log';
import type { IncidentStore } from '../shared/storage/incident-store';
import type { Log } from '../shared/observability';
import type { CollaborationState } from './state';

/** What the collaboration function needs; the Lambda entry builds it from its environment, tests from moto. */
export interface CollaborationDeps {
  readonly config: Config;
  readonly store: IncidentStore;
  readonly audit: AuditLog;
  readonly state: CollaborationState;
  /** A secret's value by SecretId (ARN or name): read once per cold start, kept in memory, never logged. */
  readonly secret: (secretId: string) => Promise<string>;
  /** Outbound HTTP. @default real fetch, timers and clock */
  readonly runtime?: HttpRuntime;
  readonly now: () => Date;
  readonly logger: Log;
}
