/**
 * Lambda entry points of the escalation: one bundle, one handler per function. Dependencies are built once per
 * cold start, on first use.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { roleTopicName } from '../../lib/core/topic-names';
import { parseConfig } from '../../lib/core/config/load';
import { createClients } from '../shared/clients';
import { ShortLinkStore } from '../shared/short-links';
import { powertools } from '../shared/observability';
import { openStores } from '../shared/storage/open-stores';
import type { EscalationDeps } from './deps';
import { weeklyDigest } from './digest';
import { handleLink, type UrlRequest } from './endpoint';
import { EscalationEnvSchema } from './env';
import { onAlarmStateChange } from './incident-lifecycle';
import { pageStep } from './pager';
import { stepFunctionsRunner } from './runner';
import { verifyAction } from './verifier';

let deps: EscalationDeps | undefined;

function dependencies(): EscalationDeps {
  if (deps) return deps;
  const env = EscalationEnvSchema.parse(process.env);
  const config = parseConfig('runtime', JSON.parse(process.env.ALERTING_CONFIG ?? 'null'));
  const clients = createClients({ region: env.AWS_REGION });
  const secrets = new SecretsManagerClient({ region: env.AWS_REGION, maxAttempts: 5 });
  let key: Promise<string> | undefined;
  const now = () => new Date();
  const { incidents, audit, silences } = openStores({
    dynamo: clients.dynamo,
    table: env.AUDIT_TABLE,
    retentionDays: config.automation.auditRetentionDays,
    now,
  });
  deps = {
    config,
    clients,
    store: incidents,
    audit,
    silences,
    runner: stepFunctionsRunner(clients.sfn, env.STATE_MACHINE_ARN),
    roleTopicArn: (role) => `arn:${env.PARTITION}:sns:${env.AWS_REGION}:${env.ACCOUNT_ID}:${roleTopicName(config.prefix, role)}`,
    // Read once per cold start and kept in memory only; never logged.
    linkKey: () => (key ??= secrets.send(new GetSecretValueCommand({ SecretId: env.LINK_SECRET_ARN })).then((r) => r.SecretString ?? '')),
    shortLinks: new ShortLinkStore(clients.dynamo, env.AUDIT_TABLE),
    linkBaseUrl: env.LINK_BASE_URL ?? '',
    now,
    logger: powertools(`${config.prefix}-escalation`, `RunbookAlerting/${config.prefix}`).logger,
  };
  return deps;
}

export const starterHandler = (event: unknown) => onAlarmStateChange(dependencies(), event);
export const pagerHandler = (event: unknown) => pageStep(dependencies(), event);
export const endpointHandler = (event: UrlRequest) => handleLink(dependencies(), event);
export const verifierHandler = (event: unknown) => verifyAction(dependencies(), event);
export const digestHandler = () => weeklyDigest(dependencies());
