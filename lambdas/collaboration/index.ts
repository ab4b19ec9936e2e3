/**
 * Lambda entry of the collaboration function: the audit table's stream in, Slack, the status page, the ticket
 * tracker and PagerDuty out. Dependencies are built once per cold start, on first use.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseConfig } from '../../lib/core/config/load';
import { createClients } from '../shared/clients';
import { powertools } from '../shared/observability';
import { openStores } from '../shared/storage/open-stores';
import { processRecords, type BatchResult } from './collaborator';
import type { CollaborationDeps } from './deps';
import { CollaborationEnvSchema } from './env';
import { CollaborationState } from './state';

let deps: CollaborationDeps | undefined;

function dependencies(): CollaborationDeps {
  if (deps) return deps;
  const env = CollaborationEnvSchema.parse(process.env);
  const config = parseConfig('runtime', JSON.parse(process.env.ALERTING_CONFIG ?? 'null'));
  const { dynamo } = createClients({ region: env.AWS_REGION });
  const secrets = new SecretsManagerClient({ region: env.AWS_REGION, maxAttempts: 5 });
  const cache = new Map<string, Promise<string>>();
  const retention = config.automation.auditRetentionDays;
  const now = () => new Date();
  const { incidents, audit } = openStores({ dynamo, table: env.AUDIT_TABLE, retentionDays: retention, now });
  deps = {
    config,
    store: incidents,
    audit,
    state: new CollaborationState(dynamo, env.AUDIT_TABLE, retention),
    // Kept in memory for the life of the container; a failed read is not cached, so a fixed secret works at once.
    secret: (arn) => {
      let value = cache.get(arn);
      if (!value) {
        value = secrets.send(new GetSecretValueCommand({ SecretId: arn })).then((r) => r.SecretString ?? '');
        value.catch(() => cache.delete(arn));
        cache.set(arn, value);
      }
      return value;
    },
    now,
    logger: powertools(`${config.prefix}-collaboration`, `RunbookAlerting/${config.prefix}`).logger,
  };
  return deps;
}

export const handler = (event: DynamoDBStreamEvent): Promise<BatchResult> => processRecords(dependencies(), event.Records);
