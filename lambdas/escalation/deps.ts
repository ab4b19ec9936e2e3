import type { Role } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import type { AuditLog } from '../shared/storage/audit-log';
import type { AwsClients } from '../shared/clients';
import type { IncidentStore } from '../shared/storage/incident-store';
import type { ShortLinkStore } from '../shared/short-links';
import type { SilenceReader } from '../shared/storage/silences';
import type { Log } from '../shared/observability';
import type { EscalationRunner } from './runner';

/** What the escalation functions need; the Lambda entry builds it from its environment, tests from moto. */
export interface EscalationDeps {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly store: IncidentStore;
  readonly audit: AuditLog;
  /** Ad-hoc silences (`oncall silence`); the config's windows come with `config.silencing`. */
  readonly silences: SilenceReader;
  readonly runner: EscalationRunner;
  /** ARN of a role's topic. */
  readonly roleTopicArn: (role: Role) => string;
  /** The HMAC key of ack/resolve links (from Secrets Manager). */
  readonly linkKey: () => Promise<string>;
  /** The short ack links of SMS pages (opaque tokens resolved in the table). */
  readonly shortLinks: ShortLinkStore;
  /** Base URL of the ack/resolve endpoint (the function URL). */
  readonly linkBaseUrl: string;
  readonly now: () => Date;
  readonly logger: Log;
}
