import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { processRecords } from '../../lambdas/collaboration/collaborator';
import type { CollaborationDeps } from '../../lambdas/collaboration/deps';
import { toSignal } from '../../lambdas/collaboration/signal';
import { CollaborationState } from '../../lambdas/collaboration/state';
import type { AuditLog } from '../../lambdas/shared/storage/audit-log';
import type { AwsClients, ClientSettings } from '../../lambdas/shared/clients';
import type { IncidentStore } from '../../lambdas/shared/storage/incident-store';
import type { Log } from '../../lambdas/shared/observability';
import { integrationSecrets, secretLabel } from '../../lib/core/config/integrations';
import type { Config, ConfigInput } from '../../lib/core/config/schema';
import type { DrillClock } from './drill-clock';
import type { FakeEndpoints, FakeRuntime } from '../stand-ins/endpoints';
import { localStream, type LocalStream } from './stream-runner';

const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:alerting/${name}`;

/**
 * Every integration on, for the drill and the tests: secrets by name-only ARN in moto's account, Slack inviting
 * two people, the default service's status-page component.
 */
export const DRILL_INTEGRATIONS = {
  slack: { tokenSecretArn: secretArn('slack-bot-token'), inviteUsers: ['U0ONCALL1', 'U0ONCALL2'] },
  statusPage: {
    apiKeySecretArn: secretArn('statuspage-api-key'),
    pageId: 'kctbh9vrtdwd',
    components: { 'chatbot-api': '8kbf7d35c070', default: '9zzf7d35c071' },
  },
  tickets: { provider: 'github' as const, tokenSecretArn: secretArn('github-token'), repository: 'acme/chatbot-ops' },
  pagerDuty: { routingKeySecretArn: secretArn('pagerduty-routing-key') },
} satisfies ConfigInput['integrations'];

/** The collaboration function wired to an emulated account and to local stand-ins of Slack, Statuspage... */
export interface CollaborationWorld {
  /** Its dependencies; outbound HTTP reaches the stand-ins, on a clock that does not really wait. */
  readonly deps: CollaborationDeps & { readonly runtime: FakeRuntime };
  /**
   * Hands every new record of the audit table's stream to the real handler, as the event source mapping would
   * (on the drill's clock: one at a time, the earliest written first, see drainInTimeOrder).
   */
  drain(): Promise<number>;
  /** Hands every record since the start to the handler again: a retried batch, a replayed shard. */
  redeliver(): Promise<number>;
}

/**
 * Stores each configured integration's credential in the emulated Secrets Manager (under the name its ARN
 * gives, the value the stand-in accepts) and opens the audit table's stream at its oldest record.
 */
export async function createCollaborationWorld(options: {
  settings: ClientSettings;
  clients: AwsClients;
  config: Config;
  auditTable: string;
  store: IncidentStore;
  audit: AuditLog;
  fake: FakeEndpoints;
  logger: Log;
  /**
   * Reads the stream on the drill's simulated time: each record is handled at the time it was written (its
   * event's, or its action's last update), so what the integrations record is stamped with the time of the step
   * that caused it, however late the drill drains the stream. @default the wall clock
   */
  clock?: DrillClock;
}): Promise<CollaborationWorld> {
  const { config, fake, clock } = options;
  const secrets = new SecretsManagerClient(options.settings);
  for (const { service, secret } of integrationSecrets(config.integrations)) {
    await secrets.send(new CreateSecretCommand({ Name: secretLabel(secret), SecretString: fake.tokens[service] }));
  }
  const deps = {
    config,
    store: options.store,
    audit: options.audit,
    state: new CollaborationState(options.clients.dynamo, options.auditTable, config.automation.auditRetentionDays),
    secret: async (arn: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '',
    runtime: fake.runtime(),
    now: clock ? () => clock.now() : () => new Date(),
    logger: options.logger,
  };
  const consume = clock ? (records: Records) => consumeAsWritten(clock, deps, records) : (records: Records) => processRecords(deps, records);
  const stream = await localStream(options.settings, options.auditTable);
  return {
    deps,
    drain: clock ? () => drainInTimeOrder(stream, clock, deps) : () => stream.drain(consume),
    redeliver: async () => (await localStream(options.settings, options.auditTable)).drain(consume),
  };
}

type Records = Parameters<typeof processRecords>[1];
type StreamRecord = Records[number];

/** Attempts per record after the first, as the stream's own drain retries a batch. */
const RETRIES = 2;

/** When a record was written on the drill's clock: its event's time, or its action's last update. */
function writtenAt(record: StreamRecord): Date | undefined {
  const signal = toSignal(record);
  if ('ignored' in signal) return undefined;
  return new Date(signal.kind === 'event' ? signal.event.at : signal.action.updatedAt);
}

/**
 * A batch one record at a time, each at the instant it was written (a record that means nothing to the
 * integrations at the clock's current time): the handler's clock cannot be one instant for a whole batch.
 * Stops at the first failed record, which is retried from there as the batch would be.
 */
async function consumeAsWritten(clock: DrillClock, deps: CollaborationDeps, records: Records): ReturnType<typeof processRecords> {
  for (const record of records) {
    const result = await clock.run(writtenAt(record) ?? clock.time, () => processRecords(deps, [record]));
    if (result.batchItemFailures.length > 0) return result;
  }
  return { batchItemFailures: [] };
}

/**
 * Every new record, the earliest written first, reading the stream again after each one. Live, the stream is
 * read seconds after each write; the drill reads it once the incident is over, and what the integrations write
 * on the way (the channel opened at t+0) would otherwise come after everything the incident wrote later (the page
 * at t+15). Records written at the same instant keep the stream's order. @returns how many records were handled
 */
async function drainInTimeOrder(stream: LocalStream, clock: DrillClock, deps: CollaborationDeps): Promise<number> {
  const pending: StreamRecord[] = [];
  const collect = async (records: Records) => {
    pending.push(...records);
    return { batchItemFailures: [] };
  };
  const time = (record: StreamRecord) => writtenAt(record)?.getTime() ?? Number.NEGATIVE_INFINITY;
  await stream.drain(collect);
  let handled = 0;
  while (pending.length > 0) {
    const next = pending.reduce((earliest, record) => (time(record) < time(earliest) ? record : earliest));
    pending.splice(pending.indexOf(next), 1);
    for (let attempt = 0; attempt <= RETRIES; attempt++) if ((await consumeAsWritten(clock, deps, [next])).batchItemFailures.length === 0) break;
    handled++;
    await stream.drain(collect);
  }
  return handled;
}
