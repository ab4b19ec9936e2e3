import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { responderEnvironment } from '../../../lambdas/responder/env';
import { TIME_INDEX } from '../../../lambdas/shared/storage/table-layout';
import { ALERTS, alarmName, type Severity } from '../../core/catalog';
import { alertSettings } from '../../core/config/alert-settings';
import { auditTableName, automationModeParameter, deadLetterQueueName, responderFunctionName } from '../../core/config/derived';
import type { Config } from '../../core/config/schema';
import { acknowledgeGrantWildcards, nagArn } from '../nag';
import { AlertingFunction } from './alerting-function';
import { responderPolicy, UNSCOPABLE_READ_ACTIONS } from './responder-policy';
import { targetScope } from './target-scope';

/** Props of {@link Responder}. */
export interface ResponderProps {
  readonly config: Config;
  /** The stack's severity topics: the responder subscribes to those of the alerts that have a mitigation. */
  readonly severityTopics: Readonly<Record<Severity, sns.ITopic>>;
  /** The topic each action is announced on: on-call primary's. */
  readonly announceTopic: sns.ITopic;
  readonly auditTable: dynamodb.ITable;
  /**
   * The state machine that checks each action after the runbook's window.
   * @default no verification: the actions are announced and audited, not checked (a regional stack has no
   * verification state machine yet)
   */
  readonly verifyStateMachine?: sfn.IStateMachine;
  /** The stack's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The home region, for a regional stack's responder: it reads the ad-hoc silences from the home region's audit
   * table (lambdas/responder/home-silences.ts), with a grant to query that table's time index and nothing more.
   * @default the silences of `auditTable` (the home responder)
   */
  readonly homeSilencesRegion?: string;
}

/**
 * The automatic responder: one Lambda subscribed to the P1-P3 topics that runs every mitigation through the
 * guard-rail pipeline, the automation switch, and IAM that names exactly the configured targets.
 */
export class Responder extends Construct {
  public readonly function: lambda.IFunction;
  /** The function's log group (JSON logs; the dashboard and the saved queries read it). */
  public readonly logGroup: logs.ILogGroup;
  public readonly automationSwitch: ssm.StringParameter;

  public constructor(scope: Construct, id: string, props: ResponderProps) {
    super(scope, id);
    const { config, severityTopics, announceTopic, auditTable, deadLetterQueue } = props;

    this.automationSwitch = new ssm.StringParameter(this, 'AutomationSwitch', {
      parameterName: automationModeParameter(config),
      stringValue: config.automation.initialMode,
      description: 'Automation switch of the runbook responders: enabled | dry-run | disabled. Owned by on-call (oncall automation ...).',
      allowedPattern: '^(enabled|dry-run|disabled)$',
    });

    const fn = new AlertingFunction(this, 'Responder', {
      config,
      functionName: responderFunctionName(config),
      description: `Runs the runbook's automatic mitigations for ${config.prefix} alarms, behind guard rails`,
      entry: 'responder/index.ts',
      deadLetterQueue,
      environment: responderEnvironment({
        AUDIT_TABLE: auditTable.tableName,
        QUARANTINE_QUEUE_URL: deadLetterQueue.queueUrl,
        ANNOUNCE_TOPIC_ARN: announceTopic.topicArn,
        AUTOMATION_MODE_PARAMETER: automationModeParameter(config),
        ...(props.verifyStateMachine && { VERIFY_STATE_MACHINE_ARN: props.verifyStateMachine.stateMachineArn }),
        ...(props.homeSilencesRegion && { SILENCES_REGION: props.homeSilencesRegion }),
        ACCOUNT_ID: Aws.ACCOUNT_ID,
        PARTITION: Aws.PARTITION,
      }),
    });
    this.function = fn.function;
    this.logGroup = fn.function.logGroup;

    const stack = Stack.of(this);
    for (const statement of responderPolicy(config, { partition: stack.partition, region: stack.region, account: stack.account })) {
      fn.role.addToPrincipalPolicy(statement);
    }
    auditTable.grantReadWriteData(fn.role);
    announceTopic.grantPublish(fn.role);
    deadLetterQueue.grantSendMessages(fn.role);
    props.verifyStateMachine?.grantStartExecution(fn.role);
    if (props.homeSilencesRegion) {
      // The home table has the same name; only its time index, where the active silences are one query, is read.
      const index = stack.formatArn({
        service: 'dynamodb',
        region: props.homeSilencesRegion,
        resource: 'table',
        resourceName: `${auditTableName(config)}/index/${TIME_INDEX}`,
      });
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [index] }));
    }
    // ecs-rollback's history reads (responder-policy.ts): one service's deployments and revisions, ids minted by ECS;
    // in tags mode, every wildcard of the target scope (target-scope.ts).
    const arns = { partition: stack.partition, region: stack.region, account: stack.account };
    const history =
      config.automation.targetScope === 'tags'
        ? (['ecs-service', 'rds-instance', 'ecs-service-deployment', 'ecs-service-revision'] as const).flatMap(
            (kind) => targetScope(config, arns, kind, { scope: fn.role }).nagFindings,
          )
        : config.services.flatMap((s) =>
            (['service-deployment', 'service-revision'] as const).map(
              (kind) =>
                [
                  `Resource::${nagArn(fn.role, 'ecs', `${kind}/${s.ecs.cluster}/${s.ecs.service}/*`)}`,
                  `ecs-rollback reads the ${kind}s of the configured service ${s.ecs.cluster}/${s.ecs.service}; ECS mints their ids`,
                ] as const,
            ),
          );
    const treeAlarms = `Resource::${nagArn(fn.role, 'cloudwatch', `alarm:${alarmName(config.prefix, 'HighAPIErrorRate')}-*`)}`;
    const clusters: (readonly [string, string])[] = config.services.some((s) => s.rds)
      ? [
          [
            `Resource::${nagArn(fn.role, 'rds', 'cluster:*')}`,
            "rds-scale-up reads (DescribeDBClusters) whether an Aurora instance's cluster has a reader; the cluster id comes from the instance, not the config",
          ],
        ]
      : [];
    acknowledgeGrantWildcards(fn.role, auditTable, [
      ...history,
      ...clusters,
      [
        `Resource::${nagArn(fn.role, 'codedeploy', 'deploymentgroup:*')}`,
        "ecs-rollback stops a blue/green service's CodeDeploy deployment in flight; the config names no CodeDeploy application or deployment group (responder-policy.ts)",
      ],
      [
        `Resource::${nagArn(fn.role, 'application-autoscaling', 'scalable-target/*')}`,
        'ecs-scale-out updates the scalable target of a configured service: its ARN ends in an id Application Auto Scaling mints, and no condition key names the service; limited to the desired count of ECS services (service-namespace and scalable-dimension conditions)',
      ],
      [
        treeAlarms,
        "the decision tree reads the last evaluation (StateReasonData) of the HighAPIErrorRate alarm it was notified of: one alarm per service, all under the stack's prefix",
      ],
    ]);
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: `read-only actions without resource-level permissions: ${Object.keys(UNSCOPABLE_READ_ACTIONS).join(', ')}`,
    });

    // Every severity that has an alert with a mitigation reaches the responder; P4 never acts.
    const severities = new Set(ALERTS.filter((a) => alertSettings(a, config).mitigations.length > 0).map((a) => alertSettings(a, config).severity));
    for (const severity of [...severities].sort()) {
      severityTopics[severity].addSubscription(new subscriptions.LambdaSubscription(this.function, { deadLetterQueue }));
    }
  }
}

/** The stack's dead-letter queue: failed invocations and events of every function, and rejected notifications. */
export function deadLetterQueue(scope: Construct, config: Config): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    queueName: deadLetterQueueName(config),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue of the stack (failed invocations and rejected notifications); a DLQ of a DLQ would hide them.',
  });
  return queue;
}
