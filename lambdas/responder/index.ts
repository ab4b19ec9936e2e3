/**
 * Lambda entry point of the responder. Everything that can be built once is built here, at cold start.
 */
import { parseConfig } from '../../lib/config/load';
import { AuditLog } from '../shared/storage/audit-log';
import { createClients } from '../shared/clients';
import { SilenceStore } from '../shared/storage/silences';
import { automationNamespace, powertools } from '../shared/observability';
import { ResponderEnvSchema } from './env';
import { createHandler } from './handler';
import { stepFunctionsVerification } from './verification';

const env = ResponderEnvSchema.parse(process.env);
const config = parseConfig('runtime', JSON.parse(process.env.ALERTING_CONFIG ?? 'null'));
const clients = createClients({ region: env.AWS_REGION });
const { logger, metrics, flush } = powertools(`${config.prefix}-responder`, automationNamespace(config.prefix));

const respond = createHandler({
  config,
  clients,
  audit: new AuditLog(clients.dynamo, env.AUDIT_TABLE, config.automation.auditRetentionDays),
  announceTopicArn: env.ANNOUNCE_TOPIC_ARN,
  automationModeParameter: env.AUTOMATION_MODE_PARAMETER,
  quarantineQueueUrl: env.QUARANTINE_QUEUE_URL,
  accountId: env.ACCOUNT_ID,
  partition: env.PARTITION,
  region: env.AWS_REGION,
  now: () => new Date(),
  logger,
  metrics,
  silences: new SilenceStore(clients.dynamo, env.AUDIT_TABLE, config.automation.auditRetentionDays),
  verification: stepFunctionsVerification(clients.sfn, env.VERIFY_STATE_MACHINE_ARN),
});

export async function handler(event: unknown): Promise<void> {
  try {
    await respond(event);
  } finally {
    flush();
  }
}
