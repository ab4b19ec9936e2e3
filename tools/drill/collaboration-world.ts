import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { processRecords } from '../../lambdas/collaboration/collaborator';
import type { CollaborationDeps } from '../../lambdas/collaboration/deps';
import { CollaborationState } from '../../lambdas/collaboration/state';
import type { AuditLog } from '../../lambdas/shared/storage/audit-log';
import type { AwsClients, ClientSettings } from '../../lambdas/shared/clients';
import type { IncidentStore } from '../../lambdas/shared/storage/incident-store';
import type { Log } from '../../lambdas/shared/observability';
import { integrationSecrets, secretLabel } from '../../lib/core/config/integrations';
import type { Config, ConfigInput } from '../../lib/core/config/schema';
import type { FakeEndpoints, FakeRuntime } from '../stand-ins/endpoints';
import { localStream } from './stream-runner';

const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:alerting/${name}`;

/**
 * Every integration on, for the drill and the tests: secrets by name-only ARN in moto's account, Slack inviting
 * two people, the default service's status-page component.
 */
export const DRILL_INTEGRATIONS = {
  slack: { tokenSecretArn: secretArn('slack-bot-token'), inviteUsers: ['U0ONCALL1', 'U0ONCALL2'] },
  statusPage: { apiKeySecretArn: secretArn('statuspage-api-key'), pageId: 'kctbh9vrtdwd', components: { 'chatbot-api': '8kbf7d35c070', default: '9zzf7d35c071' } },
  tickets: { provider: 'github' as const, tokenSecretArn: secretArn('github-token'), repository: 'acme/chatbot-ops' },
  pagerDuty: { routingKeySecretArn: secretArn('pagerduty-routing-key') },
} satisfies ConfigInput['integrations'];

/** The collaboration function wired to an emulated account and to local stand-ins of Slack, Statuspage... */
export interface CollaborationWorld {
  /** Its dependencies; outbound HTTP reaches the stand-ins, on a clock that does not really wait. */
  readonly deps: CollaborationDeps & { readonly runtime: FakeRuntime };
  /** Hands every new record of the audit table's stream to the real handler, as the event source mapping would. */
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
}): Promise<CollaborationWorld> {
  const { config, fake } = options;
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
    now: () => new Date(),
    logger: options.logger,
  };
  const consume = (records: Parameters<typeof processRecords>[1]) => processRecords(deps, records);
  const stream = await localStream(options.settings, options.auditTable);
  return {
    deps,
    drain: () => stream.drain(consume),
    redeliver: async () => (await localStream(options.settings, options.auditTable)).drain(consume),
  };
}
