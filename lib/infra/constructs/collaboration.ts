import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { collaborationEnvironment } from '../../../lambdas/collaboration/env';
import { PREFIX } from '../../../lambdas/shared/storage/table-layout';
import { collaborationFunctionName } from '../../core/config/derived';
import { integrationSecrets, secretPolicyResource, type SecretRef } from '../../core/config/integrations';
import type { Config } from '../../core/config/schema';
import { acknowledgeGrantWildcards } from '../nag';
import { AlertingFunction } from './alerting-function';

/** Props of {@link Collaboration}. */
export interface CollaborationProps {
  readonly config: Config;
  /** The audit table, with its stream: incidents' timeline events and actions come from it. */
  readonly auditTable: dynamodb.ITable;
  /** Where batches that failed every retry are reported (the self-monitoring alarm on it pages). */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The integrations (Slack incident channel, status page, tickets, PagerDuty) behind the audit table's stream.
 * Nothing in the paging or mitigation path calls them: the responder and the escalation only write the audit
 * table, so a slow or failing integration cannot delay a page or an action, by construction.
 */
export class Collaboration extends Construct {
  public readonly function: lambda.IFunction;
  /** Its JSON logs: the dashboard's integration-failures widget reads them. */
  public readonly logGroup: logs.ILogGroup;

  public constructor(scope: Construct, id: string, props: CollaborationProps) {
    super(scope, id);
    const { config, auditTable, deadLetterQueue } = props;
    const fn = new AlertingFunction(this, 'Collaboration', {
      config,
      functionName: collaborationFunctionName(config),
      description: 'Slack incident channel, status page, tickets and PagerDuty, from the incidents timeline',
      entry: 'collaboration/index.ts',
      environment: collaborationEnvironment({ AUDIT_TABLE: auditTable.tableName }),
      // A batch of 10 records can meet every integration's whole retry budget once (the breaker stops repeats).
      timeout: Duration.minutes(3),
    });
    this.function = fn.function;
    this.logGroup = fn.function.logGroup;
    // Reads incidents and actions, writes timeline events and its own state: no scans, no deletes.
    auditTable.grant(fn.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
    const secrets = integrationSecrets(config.integrations).map(({ secret }) => secretResource(this, secret));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets }));
    fn.function.addEventSource(
      new DynamoEventSource(auditTable, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 10,
        // One batch per shard at a time: an incident's events are handled in the order they were written.
        parallelizationFactor: 1,
        reportBatchItemFailures: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        onFailure: new SqsDlq(deadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual('INSERT'),
            dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(PREFIX.incident) }, sk: { S: lambda.FilterRule.beginsWith(PREFIX.event) } } },
          }),
          lambda.FilterCriteria.filter({
            dynamodb: {
              Keys: { pk: { S: lambda.FilterRule.beginsWith(PREFIX.action) } },
              NewImage: { decision: { S: lambda.FilterRule.or('acted', 'dry-run') } },
            },
          }),
        ],
      }),
    );
    acknowledgeGrantWildcards(fn.role, auditTable, [
      ['Resource::*', "dynamodb:ListStreams takes no resource-level permission (CDK stream grant); reading records is scoped to the table's stream"],
    ]);
  }
}

/**
 * The IAM resource of a secret (see SecretRef): a complete ARN as it is, a partial ARN or a name with `-??????`
 * for the six characters Secrets Manager appends; a name is a secret of this stack's account and region.
 */
export function secretResource(scope: Construct, secret: SecretRef): string {
  return secretPolicyResource(secret, (resourceName) =>
    Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  );
}
