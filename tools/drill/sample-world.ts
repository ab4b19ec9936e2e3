import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { AwsClients, ClientSettings } from '../../lambdas/shared/clients';
import { TIME_INDEX } from '../../lambdas/shared/storage/table-layout';
import { automationModeParameter, auditTableName, modelService, rdsClassLadder } from '../../lib/core/config/derived';
import { anyIntegration } from '../../lib/core/config/integrations';
import { regionalServices } from '../../lib/core/config/regions';
import type { AutomationMode, Config } from '../../lib/core/config/schema';
import { roleTopicName, severityTopicName } from '../../lib/core/topic-names';
import { alarmName, SEVERITIES } from '../../lib/core/catalog';

/** Handles to the resources of a sample world, as the responders are configured to find them. */
export interface SampleWorld {
  readonly auditTable: string;
  readonly quarantineQueueUrl: string;
  readonly announceTopicArn: string;
  readonly severityTopicArns: Readonly<Record<string, string>>;
  readonly automationModeParameter: string;
}

/**
 * Creates, in an AWS endpoint without an account's real resources (the moto emulator), the world the default
 * environment's responders act on: the ECS service with two task-definition revisions (the newer one just
 * deployed), the Multi-AZ RDS instance on the first step of its ladder, the SSM flags, the audit table, the topics,
 * the dead-letter queue and the LLM-dependency alarm the decision tree reads; and, built for the home region, the
 * audit table and automation switch of each regional stack of the environment's account.
 */
export async function createSampleWorld(clients: AwsClients, settings: ClientSettings, config: Config, mode: AutomationMode): Promise<SampleWorld> {
  const service = modelService(config);
  const { cluster, service: serviceName } = service.ecs;
  await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  for (const image of ['chatbot-api:1.4.0', 'chatbot-api:1.5.0']) {
    await clients.ecs.send(new RegisterTaskDefinitionCommand({ family: serviceName, containerDefinitions: [{ name: 'api', image, memory: 1024 }] }));
  }
  await clients.ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition: `${serviceName}:2`, desiredCount: 4 }));

  if (service.rds) {
    await clients.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: service.rds.instanceId,
        DBInstanceClass: rdsClassLadder(config, service)[0],
        Engine: 'postgres',
        MasterUsername: 'chatbot',
        MasterUserPassword: 'not-a-real-secret-0',
        AllocatedStorage: 20,
        // Multi-AZ, as a production database is: rds-scale-up acts where a class change costs a failover, not an outage.
        MultiAZ: true,
      }),
    );
  }

  const parameters: [string, string][] = [
    [config.ssm.fallbackMode, 'false'],
    [config.ssm.rateLimit, '0'],
    [config.ssm.aiFeatureFlag, 'true'],
    [automationModeParameter(config), mode],
  ];
  for (const [Name, Value] of parameters) await clients.ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true }));

  const auditTable = await createAuditTable(settings, config);
  // Built for the home region: the regional stacks of this account (docs/regions.md) keep their own audit log and
  // switch there. (A test builds a region's whole world by building it for that region.)
  const home = (settings.region ?? config.region) === config.region;
  for (const group of home ? regionalServices(config).filter((g) => g.account === undefined) : []) {
    const regional = { ...settings, region: group.region };
    await createAuditTable(regional, config);
    await new SSMClient(regional).send(new PutParameterCommand({ Name: automationModeParameter(config), Value: mode, Type: 'String', Overwrite: true }));
  }

  const severityTopicArns: Record<string, string> = {};
  for (const severity of SEVERITIES) {
    severityTopicArns[severity] = (await clients.sns.send(new CreateTopicCommand({ Name: severityTopicName(config.prefix, severity) }))).TopicArn!;
  }
  const announceTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: roleTopicName(config.prefix, 'on-call-primary') }))).TopicArn!;
  const queueName = `${config.prefix}-responder-dlq`;
  const quarantineQueueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;

  // The decision tree asks CloudWatch whether the LLM dependency's own alarm is firing.
  await clients.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName(config.prefix, 'LLMDependencyDown'),
      Namespace: config.metrics.namespace,
      MetricName: 'LLMProviderErrors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 0.1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );

  return { auditTable, quarantineQueueUrl, announceTopicArn, severityTopicArns, automationModeParameter: automationModeParameter(config) };
}

/**
 * The audit table as the stack declares it (lib/infra/constructs/audit-table.ts), in the region of `settings`; one
 * that exists already (a region's world built after the home one made its table) is left as it is.
 */
async function createAuditTable(settings: ClientSettings, config: Config): Promise<string> {
  const auditTable = auditTableName(config);
  const created = new DynamoDBClient({ ...settings }).send(
    new CreateTableCommand({
      TableName: auditTable,
      BillingMode: 'PAY_PER_REQUEST',
      // As deployed: a stream when the collaboration function reads it. (Only then: moto restores a deep copy of
      // the whole table, stream included, when a transaction fails, and the longer copy loses more of the writes
      // that concurrent requests made meanwhile.)
      ...(anyIntegration(config.integrations) ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' as const } } : {}),
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: TIME_INDEX,
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await created.catch((error: unknown) => {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  });
  return auditTable;
}
