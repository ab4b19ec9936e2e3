import * as path from 'node:path';
import { Aws, CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { CONFIG_DEFINE, responderEnvironment } from '../../lambdas/responder/env';
import { ALERTS } from '../catalog';
import { alertSettings } from '../alarms/settings';
import { automationModeParameter, deadLetterQueueName, responderFunctionName } from '../config/derived';
import type { Config } from '../config/schema';
import type { AlertTopics } from './alert-topics';
import { responderPolicy, UNSCOPABLE_READ_ACTIONS } from './responder-policy';

/** Props of {@link Responder}. */
export interface ResponderProps {
  readonly config: Config;
  readonly topics: AlertTopics;
  readonly auditTable: dynamodb.ITable;
}

/**
 * The automatic responder: one Lambda subscribed to the P1-P3 topics that runs every mitigation through the
 * guard-rail pipeline, its dead-letter queue, the automation switch, and IAM that names exactly the
 * configured targets.
 */
export class Responder extends Construct {
  public readonly function: NodejsFunction;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly automationSwitch: ssm.StringParameter;

  public constructor(scope: Construct, id: string, props: ResponderProps) {
    super(scope, id);
    const { config, topics, auditTable } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: deadLetterQueueName(config),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the responder (failed invocations and rejected notifications); a DLQ of a DLQ would hide them.',
    });

    this.automationSwitch = new ssm.StringParameter(this, 'AutomationSwitch', {
      parameterName: automationModeParameter(config),
      stringValue: config.automation.initialMode,
      description: 'Automation switch of the runbook responders: enabled | dry-run | disabled. Owned by on-call (oncall automation ...).',
      allowedPattern: '^(enabled|dry-run|disabled)$',
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${responderFunctionName(config)}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole: logs may go to this function's log group only.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `${config.prefix} responder` });
    logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      role,
      functionName: responderFunctionName(config),
      description: `Runs the runbook's automatic mitigations for ${config.prefix} alarms, behind guard rails`,
      entry: path.join(__dirname, '..', '..', 'lambdas', 'responder', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      environment: responderEnvironment({
        AUDIT_TABLE: auditTable.tableName,
        QUARANTINE_QUEUE_URL: this.deadLetterQueue.queueUrl,
        ANNOUNCE_TOPIC_ARN: topics.roleTopics['on-call-primary'].topicArn,
        AUTOMATION_MODE_PARAMETER: automationModeParameter(config),
        ACCOUNT_ID: Aws.ACCOUNT_ID,
        PARTITION: Aws.PARTITION,
      }),
      bundling: {
        format: OutputFormat.CJS,
        minify: true,
        sourceMap: true,
        target: 'node24',
        define: { [CONFIG_DEFINE]: JSON.stringify(JSON.stringify(config)) },
        externalModules: ['@aws-sdk/*'],
      },
    });

    const stack = Stack.of(this);
    for (const statement of responderPolicy(config, { partition: stack.partition, region: stack.region, account: stack.account })) {
      this.function.addToRolePolicy(statement);
    }
    auditTable.grantReadWriteData(this.function);
    topics.roleTopics['on-call-primary'].grantPublish(this.function);
    this.deadLetterQueue.grantSendMessages(this.function);
    acknowledgeWildcards(role, auditTable);

    // Every severity that has an alert with a mitigation reaches the responder; P4 never acts.
    const severities = new Set(ALERTS.filter((a) => alertSettings(a, config).mitigations.length > 0).map((a) => alertSettings(a, config).severity));
    for (const severity of [...severities].sort()) {
      topics.severityTopics[severity].addSubscription(new subscriptions.LambdaSubscription(this.function, { deadLetterQueue: this.deadLetterQueue }));
    }
  }
}


/**
 * The responder's wildcards, each acknowledged on its own with the reason; none is on a mutating action
 * against a resource of the account (test/stack/iam.test.ts holds the policy to that).
 */
function acknowledgeWildcards(role: iam.Role, table: dynamodb.ITable): void {
  const tableId = Stack.of(role).getLogicalId(table.node.defaultChild as CfnElement);
  const acknowledgements: [string, string][] = [
    ['Resource::*', `read-only actions without resource-level permissions: ${Object.keys(UNSCOPABLE_READ_ACTIONS).join(', ')}`],
    [`Resource::<${tableId}.Arn>/index/*`, 'queries of the audit table\'s own time index (by CDK\'s table grant)'],
    ['Action::kms:GenerateDataKey*', 'publishing to the KMS-encrypted on-call topic needs a data key of the topic key only (CDK topic grant)'],
  ];
  for (const [finding, reason] of acknowledgements) {
    Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason });
  }
}
