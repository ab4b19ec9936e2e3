import { ArnFormat, Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { scopedStatement, targetScope } from './target-scope';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { escalationEnvironment } from '../../../lambdas/escalation/env';
import { ROLES } from '../../core/catalog';
import { automationModeParameter, escalationFunctionName, escalationStateMachineName, verifyStateMachineName } from '../../core/config/derived';
import type { Config } from '../../core/config/schema';
import { acknowledgeGrantWildcards, acknowledgeStateMachineWildcards, nagArn } from '../nag';
import { AlertingFunction } from './alerting-function';
import { alarmStateChanges, allowForwarding } from './alarm-state-changes';
import type { AlertTopics } from './alert-topics';
import { UNSCOPABLE_ACTIONS } from './responder-policy';

/** Props of {@link Escalation}. */
export interface EscalationProps {
  readonly config: Config;
  readonly topics: AlertTopics;
  readonly auditTable: dynamodb.ITable;
  readonly deadLetterQueue: sqs.IQueue;
}

/** The functions of the escalation, one bundle, one handler each. */
type FunctionName = 'starter' | 'pager' | 'endpoint' | 'verifier' | 'digest';

/**
 * The escalation matrix as running infrastructure: an EventBridge rule starts one Step Functions Standard
 * execution per incident (timers and callbacks: a Map over the incident's timetable, Wait until each step,
 * page); the ack/resolve endpoint behind signed links; the verification of automatic actions; the weekly digest.
 */
export class Escalation extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly verifyStateMachine: sfn.StateMachine;
  public readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  /** The functions' log groups (JSON logs; the dashboard reads the incident lifecycle from them). */
  public readonly logGroups: Readonly<Record<FunctionName, logs.ILogGroup>>;
  public readonly linkUrl: lambda.FunctionUrl;

  public constructor(scope: Construct, id: string, props: EscalationProps) {
    super(scope, id);
    const { config, topics, auditTable, deadLetterQueue } = props;
    const stack = Stack.of(this);

    const linkKey = new secretsmanager.Secret(this, 'LinkKey', {
      description: `HMAC key of the ${config.prefix} ack/resolve links. Rotate by updating the value: links already sent stop working.`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(linkKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC key of short-lived links, not a credential of another system: rotating it means updating its value, which only invalidates links already sent (they expire within escalation.linkTtlMinutes anyway).',
    });

    const stateMachineArn = (name: string) =>
      stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const escalationArn = stateMachineArn(escalationStateMachineName(config));
    const environment = (linkBaseUrl: string | undefined) =>
      escalationEnvironment({
        AUDIT_TABLE: auditTable.tableName,
        STATE_MACHINE_ARN: escalationArn,
        LINK_SECRET_ARN: linkKey.secretArn,
        ...(linkBaseUrl === undefined ? {} : { LINK_BASE_URL: linkBaseUrl }),
        ACCOUNT_ID: Aws.ACCOUNT_ID,
        PARTITION: Aws.PARTITION,
      });

    const reserved: Partial<Record<FunctionName, number>> = config.escalation.concurrency;
    const make = (name: FunctionName, description: string, linkBaseUrl: string | undefined): AlertingFunction =>
      new AlertingFunction(this, pascal(name), {
        config,
        functionName: escalationFunctionName(config, name),
        description,
        entry: 'escalation/index.ts',
        handler: `${name}Handler`,
        environment: environment(linkBaseUrl),
        deadLetterQueue,
        reservedConcurrency: reserved[name],
      });

    // The endpoint comes first: the others put its URL in every page. It signs no links itself, so it needs no
    // base URL (its own URL would make the function depend on itself).
    const endpoint = make('endpoint', 'Ack/resolve links of the pages (HMAC-signed, single-use, expiring)', undefined);
    this.linkUrl = endpoint.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const fns: Record<FunctionName, AlertingFunction> = {
      endpoint,
      starter: make('starter', 'Opens, groups, re-classifies and resolves incidents from alarm state changes', this.linkUrl.url),
      pager: make('pager', 'Pages the roles of one escalation step', this.linkUrl.url),
      verifier: make('verifier', 'Checks an automatic action after the runbook window; pages at once if it did not work', this.linkUrl.url),
      digest: make('digest', 'Weekly digest of the P4 alerts', this.linkUrl.url),
    };
    this.functions = {
      starter: fns.starter.function,
      pager: fns.pager.function,
      endpoint: fns.endpoint.function,
      verifier: fns.verifier.function,
      digest: fns.digest.function,
    };
    this.logGroups = {
      starter: fns.starter.function.logGroup,
      pager: fns.pager.function.logGroup,
      endpoint: fns.endpoint.function.logGroup,
      verifier: fns.verifier.function.logGroup,
      digest: fns.digest.function.logGroup,
    };

    const onCall = topics.roleTopics['on-call-primary'];
    this.stateMachine = this.escalationMachine(config, fns.pager.function, onCall);
    this.verifyStateMachine = this.verifyMachine(config, fns.verifier.function, onCall);
    // The last resort of both machines: a step that failed for good pages on-call directly (encrypted topic: KMS too).
    onCall.grantPublish(this.stateMachine);
    onCall.grantPublish(this.verifyStateMachine);

    // Grants: each function gets what it uses and nothing else.
    for (const fn of Object.values(fns)) auditTable.grantReadWriteData(fn.role);
    for (const name of ['pager', 'endpoint', 'verifier', 'starter'] as const) linkKey.grantRead(fns[name].role);
    for (const name of ['pager', 'endpoint', 'verifier', 'starter'] as const) {
      for (const role of ROLES) topics.roleTopics[role].grantPublish(fns[name].role);
    }
    topics.roleTopics['on-call-manager'].grantPublish(fns.digest.role);
    this.stateMachine.grantStartExecution(fns.starter.role);
    for (const name of ['starter', 'endpoint'] as const) {
      fns[name].role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'StopEscalations',
          actions: ['states:StopExecution'],
          resources: [
            stack.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${escalationStateMachineName(config)}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
    }
    // Pages carry their context (lambdas/shared/context.ts): alarms (the verifier also reads their state),
    // deployments of the configured services, the history of the flipped parameters, the alarm's datapoints.
    const parameters = [config.ssm.fallbackMode, config.ssm.rateLimit, config.ssm.aiFeatureFlag, automationModeParameter(config)];
    for (const name of ['pager', 'verifier'] as const) {
      for (const statement of [
        new iam.PolicyStatement({
          sid: 'ReadAlarms',
          actions: ['cloudwatch:DescribeAlarms'],
          resources: [
            stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${config.prefix}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ],
        }),
        scopedStatement(
          'ContextDeployments',
          ['ecs:DescribeServices'],
          targetScope(config, { partition: stack.partition, region: stack.region, account: stack.account }, 'ecs-service'),
        ),
        new iam.PolicyStatement({
          sid: 'ContextParameterHistory',
          actions: ['ssm:GetParameterHistory'],
          resources: [...new Set(parameters)].map((p) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: p.slice(1) })),
        }),
        new iam.PolicyStatement({ sid: 'ContextDatapoints', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      ]) {
        fns[name].role.addToPrincipalPolicy(statement);
      }
    }
    const stopExecutions = [
      `Resource::${nagArn(this, 'states', `execution:${escalationStateMachineName(config)}:*`)}`,
      'stopping the executions of this escalation state machine only (execution names are per incident)',
    ] as const;
    const readAlarms = [
      `Resource::${nagArn(this, 'cloudwatch', `alarm:${config.prefix}-*`)}`,
      "reading the state of this environment's alarms only (names start with the prefix)",
    ] as const;
    acknowledgeGrantWildcards(fns.starter.role, auditTable, [stopExecutions]);
    acknowledgeGrantWildcards(fns.endpoint.role, auditTable, [stopExecutions]);
    const metricData = ['Resource::*', `cloudwatch:GetMetricData (the datapoints in a page): ${UNSCOPABLE_ACTIONS['cloudwatch:GetMetricData']}`] as const;
    for (const name of ['verifier', 'pager'] as const) {
      const services = targetScope(config, { partition: stack.partition, region: stack.region, account: stack.account }, 'ecs-service', {
        scope: fns[name].role,
      });
      acknowledgeGrantWildcards(fns[name].role, auditTable, [readAlarms, metricData, ...services.nagFindings]);
    }
    acknowledgeGrantWildcards(fns.digest.role, auditTable);
    acknowledgeStateMachineWildcards(this.stateMachine, [fns.pager.function]);
    acknowledgeStateMachineWildcards(this.verifyStateMachine, [fns.verifier.function]);

    // Alarm state changes start, join and resolve incidents.
    new events.Rule(this, 'AlarmStateChanges', {
      description: `${config.prefix}: alarm transitions into ALARM and OK drive the incidents`,
      eventPattern: alarmStateChanges(config),
      targets: [new targets.LambdaFunction(fns.starter.function, { deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.hours(2) })],
    });
    allowForwarding(this, config);
    new events.Rule(this, 'WeeklyDigest', {
      description: `${config.prefix}: weekly digest of P4 alerts (Monday 09:00 UTC)`,
      schedule: events.Schedule.cron({ weekDay: 'MON', hour: '9', minute: '0' }),
      targets: [new targets.LambdaFunction(fns.digest.function, { deadLetterQueue, retryAttempts: 2 })],
    });
  }

  /**
   * Map over the timetable: Wait until the step's time, then page. A stop (resolve) ends it at once. A step whose
   * page failed after every retry pages on-call directly and the escalation goes on to the next step.
   */
  private escalationMachine(config: Config, pager: lambda.IFunction, onCall: sns.ITopic): sfn.StateMachine {
    const wait = new sfn.Wait(this, 'WaitForStep', {
      time: sfn.WaitTime.timestampPath('$.step.at'),
      comment: 'Until the time of this step of the escalation matrix',
    });
    const pageStep = new tasks.LambdaInvoke(this, 'PageStep', {
      lambdaFunction: pager,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      comment: 'Pages the step roles unless the incident is resolved, or acknowledged and the step is an ack deadline',
    });
    pageStep.addRetry(RETRY);
    pageStep.addCatch(
      this.pageOnCallDirectly('PageOnCallDirectly', onCall, {
        subject: '[P1] An escalation step could not page',
        text: sfn.JsonPath.format(
          '[P1] Step {} of the escalation of incident {} failed after every retry: the roles of that step ({}) were NOT paged. Page them by hand; the escalation goes on with its next step. Error: {}. See: npx oncall incident show {}',
          sfn.JsonPath.stringAt('$.step.index'),
          sfn.JsonPath.stringAt('$.incidentId'),
          sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.step.roles')),
          sfn.JsonPath.stringAt('$.failure.Error'),
          sfn.JsonPath.stringAt('$.incidentId'),
        ),
        sms: sfn.JsonPath.format('P1 PAGE FAILED, page by hand: {}', sfn.JsonPath.stringAt('$.incidentId')),
      }),
      { errors: ['States.ALL'], resultPath: '$.failure' },
    );
    const steps = new sfn.Map(this, 'EscalationSteps', {
      comment: 'One iteration per step of the incident timetable, in order',
      itemsPath: '$.steps',
      maxConcurrency: 1,
      itemSelector: { 'incidentId.$': '$.incidentId', 'step.$': '$$.Map.Item.Value' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    steps.itemProcessor(wait.next(pageStep));
    return new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: escalationStateMachineName(config),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'One execution per incident: the escalation matrix as timers',
      definitionBody: sfn.DefinitionBody.fromChainable(
        steps.next(new sfn.Succeed(this, 'Escalated', { comment: 'Every step ran; the incident stays open until resolved' })),
      ),
      timeout: Duration.days(14),
      tracingEnabled: true,
      logs: { destination: this.stateLogs('EscalationLogs', escalationStateMachineName(config)), level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }

  /** Wait the runbook's window, then check the alarm of the action; a check that failed for good pages on-call directly. */
  private verifyMachine(config: Config, verifier: lambda.IFunction, onCall: sns.ITopic): sfn.StateMachine {
    const wait = new sfn.Wait(this, 'WaitForWindow', {
      time: sfn.WaitTime.timestampPath('$.at'),
      comment: "Until the end of the runbook's monitoring window (5 minutes for HighAPIErrorRate)",
    });
    const verify = new tasks.LambdaInvoke(this, 'VerifyAction', {
      lambdaFunction: verifier,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      comment: 'Still in ALARM: outcome ineffective, page at once',
    });
    verify.addRetry(RETRY);
    verify.addCatch(
      this.pageOnCallDirectly('VerifyFailedPageOnCall', onCall, {
        subject: '[P1] An automatic action could not be verified',
        text: sfn.JsonPath.format(
          '[P1] The check of automatic action {} failed after every retry: nobody knows whether it worked. Check its alarm now. Error: {}. See: npx oncall actions',
          sfn.JsonPath.stringAt('$.actionId'),
          sfn.JsonPath.stringAt('$.failure.Error'),
        ),
        sms: sfn.JsonPath.format('P1 VERIFY FAILED, check by hand: {}', sfn.JsonPath.stringAt('$.actionId')),
      }),
      { errors: ['States.ALL'], resultPath: '$.failure' },
    );
    return new sfn.StateMachine(this, 'VerifyStateMachine', {
      stateMachineName: verifyStateMachineName(config),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'One execution per automatic action: the runbook verification window',
      definitionBody: sfn.DefinitionBody.fromChainable(wait.next(verify)),
      timeout: Duration.hours(5),
      tracingEnabled: true,
      logs: { destination: this.stateLogs('VerifyLogs', verifyStateMachineName(config)), level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }

  /**
   * The one catch target: publishes to the on-call primary's topic (text for email, a short form for SMS), with
   * the same retries as every task. If even that fails, the execution fails, which its self-monitoring alarm reports.
   */
  private pageOnCallDirectly(id: string, onCall: sns.ITopic, message: { subject: string; text: string; sms: string }): tasks.SnsPublish {
    const publish = new tasks.SnsPublish(this, id, {
      topic: onCall,
      comment: 'A step failed after every retry: on-call primary is paged directly, around the failing function',
      subject: message.subject,
      messagePerSubscriptionType: true,
      message: sfn.TaskInput.fromObject({ default: message.text, email: message.text, sms: message.sms }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    publish.addRetry(RETRY);
    return publish;
  }

  private stateLogs(id: string, name: string): logs.LogGroup {
    return new logs.LogGroup(this, id, { logGroupName: `/aws/vendedlogs/states/${name}`, retention: logs.RetentionDays.ONE_YEAR });
  }
}

/**
 * The one retry policy of every task of both state machines: 4 retries over about 75 s (5, 10, 20, 40 s, full
 * jitter), enough to ride out a Lambda throttle or a cold dependency without delaying a page by minutes.
 */
const RETRY: sfn.RetryProps = { errors: ['States.ALL'], interval: Duration.seconds(5), maxAttempts: 4, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL };

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
