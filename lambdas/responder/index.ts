/**
 * Lambda entry point of the responder. Everything that can be built once is built here, at cold start.
 */
import { parseConfig } from '../../lib/core/config/load';
import { createClients, documentClient } from '../shared/clients';
import { openStores } from '../shared/storage/open-stores';
import { automationNamespace, powertools } from '../shared/observability';
import { ResponderEnvSchema } from './env';
import { createHandler } from './handler';
import { homeSilences } from './home-silences';
import { verificationOf } from './verification';

const env = ResponderEnvSchema.parse(process.env);
const config = parseConfig('runtime', JSON.parse(process.env.ALERTING_CONFIG ?? 'null'));
const clients = createClients({ region: env.AWS_REGION });
const { logger, metrics, flush } = powertools(`${config.prefix}-responder`, automationNamespace(config.prefix));
const now = () => new Date();
const stores = { table: env.AUDIT_TABLE, retentionDays: config.automation.auditRetentionDays, now };
const { audit, silences: own } = openStores({ ...stores, dynamo: clients.dynamo });
// A regional stack's responder obeys the home region's silences (the table there has the same name).
const silences = env.SILENCES_REGION
  ? homeSilences(openStores({ ...stores, dynamo: documentClient({ region: env.SILENCES_REGION }) }).silences, env.SILENCES_REGION, logger)
  : own;

const respond = createHandler({
  config,
  clients,
  audit,
  announceTopicArn: env.ANNOUNCE_TOPIC_ARN,
  automationModeParameter: env.AUTOMATION_MODE_PARAMETER,
  quarantineQueueUrl: env.QUARANTINE_QUEUE_URL,
  accountId: env.ACCOUNT_ID,
  partition: env.PARTITION,
  region: env.AWS_REGION,
  now,
  logger,
  metrics,
  silences,
  verification: verificationOf(clients.sfn, env.VERIFY_STATE_MACHINE_ARN, logger),
});

export async function handler(event: unknown): Promise<void> {
  try {
    await respond(event);
  } finally {
    flush();
  }
}
