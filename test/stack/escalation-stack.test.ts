import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { definitionOf } from '../../tools/drill/local-runner';
import { ENVIRONMENTS } from '../../config';
import { parseConfig } from '../../lib/core/config/load';
import { config } from '../support/config';
import { synth } from '../support/synth';

type State = Record<string, unknown> & {
  Type: string;
  Retry?: unknown[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Parameters?: Record<string, unknown>;
  Resource?: string;
};
type Definition = { StartAt: string; States: Record<string, State & { ItemProcessor?: Definition }> };

/** Every state of a definition, those inside a Map included. */
function allStates(definition: Definition): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

const core = synth(config()).templates.get('chatbot-alerting')!;
type Machine = {
  Properties: { StateMachineName: string; DefinitionString: unknown; TracingConfiguration?: unknown; LoggingConfiguration?: { Level: string } };
};
const machines = Object.values(core.findResources('AWS::StepFunctions::StateMachine') as Record<string, Machine>);

describe('escalation resources', () => {
  // The local runner (tools/drill/local-runner.ts) runs these definitions without validating them: this is where they are.
  for (const [env, input] of Object.entries(ENVIRONMENTS)) {
    it(`${env}: the synthesized escalation and verification definitions pass asl-validator, with tracing and full logging`, () => {
      const cfg = parseConfig(env, input);
      const template = env === 'default' ? core : synth(cfg).templates.get(`${cfg.prefix}-alerting`)!;
      const found = Object.values(template.findResources('AWS::StepFunctions::StateMachine') as Record<string, Machine>);
      assert.deepEqual(found.map((m) => m.Properties.StateMachineName).sort(), [`${cfg.prefix}-escalation`, `${cfg.prefix}-verify`]);
      for (const machine of found) {
        const { isValid, errorsText } = aslValidator(definitionOf(machine) as never);
        assert.ok(isValid, `${machine.Properties.StateMachineName}: ${errorsText('\n')}`);
        assert.deepEqual(machine.Properties.TracingConfiguration, { Enabled: true });
        assert.equal(machine.Properties.LoggingConfiguration?.Level, 'ALL');
      }
    });
  }

  it('the escalation is a Map over the timetable: wait until each step, then page (timers, no polling)', () => {
    const definition = definitionOf(machines.find((m) => m.Properties.StateMachineName === 'chatbot-escalation')!) as unknown as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    const map = definition.States[definition.StartAt]!;
    assert.equal(map.Type, 'Map');
    assert.equal(map.ItemsPath, '$.steps');
    assert.equal(map.MaxConcurrency, 1);
    const inner = map.ItemProcessor as { StartAt: string; States: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(inner.States), ['WaitForStep', 'PageStep', 'PageOnCallDirectly']);
    assert.equal(inner.States.WaitForStep!.TimestampPath, '$.step.at');
    assert.ok(!Object.values(inner.States).some((s) => s.Type === 'Choice'), 'no polling loop');
  });

  it('alarm state changes of this environment (ALARM and OK) reach the starter', () => {
    core.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [{ prefix: 'chatbot-' }], state: { value: ['ALARM', 'OK'] } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 4 } })],
    });
  });

  it('the ack/resolve endpoint is a public function URL whose only credential is the signed link', () => {
    core.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    core.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
  });

  it('a weekly digest of P4 alerts runs on Monday morning', () => {
    core.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 9 ? * MON *)' });
  });

  it('the starter and the pager have reserved concurrency, and the public endpoint is capped (config defaults 10, 10, 5)', () => {
    const reserved = (name: string) =>
      (
        Object.values(core.findResources('AWS::Lambda::Function')).find((f) => (f.Properties as { FunctionName: string }).FunctionName === name)!
          .Properties as { ReservedConcurrentExecutions?: number }
      ).ReservedConcurrentExecutions;
    assert.equal(reserved('chatbot-escalation-starter'), 10);
    assert.equal(reserved('chatbot-escalation-pager'), 10);
    assert.equal(reserved('chatbot-escalation-endpoint'), 5);
    // the others use the shared pool: reserving is a cap too, and they have no reason for one
    assert.equal(reserved('chatbot-escalation-verifier'), undefined);
    assert.equal(reserved('chatbot-escalation-digest'), undefined);
    // the numbers are the config's
    const tuned = synth(config({ escalation: { concurrency: { starter: 3, pager: 4, endpoint: 2 } } })).templates.get('chatbot-alerting')!;
    for (const [name, value] of [
      ['starter', 3],
      ['pager', 4],
      ['endpoint', 2],
    ] as const)
      tuned.hasResourceProperties('AWS::Lambda::Function', { FunctionName: `chatbot-escalation-${name}`, ReservedConcurrentExecutions: value });
  });

  it('every task of both machines has the one retry policy, and a paging task that fails for good is caught by a direct page to on-call', () => {
    const RETRY = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: 'FULL' }];
    const catchTargets: Record<string, string> = { PageStep: 'PageOnCallDirectly', VerifyAction: 'VerifyFailedPageOnCall' };
    const tasks = machines.flatMap((m) => allStates(definitionOf(m) as unknown as Definition)).filter(([, s]) => s.Type === 'Task');
    assert.deepEqual(tasks.map(([name]) => name).sort(), ['PageOnCallDirectly', 'PageStep', 'VerifyAction', 'VerifyFailedPageOnCall']);
    for (const [name, state] of tasks) {
      assert.deepEqual(state.Retry, RETRY, `${name}: one retry policy (no extra Lambda service-exception retrier)`);
      if (name in catchTargets) assert.deepEqual(state.Catch, [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: catchTargets[name] }], name);
      else assert.equal(state.Catch, undefined, `${name}: the last resort has no catch of its own; its failure fails the execution, which alarms`);
    }
    // the catch targets publish to the on-call primary's topic, with a short SMS form
    const raw = JSON.stringify(machines.find((m) => m.Properties.StateMachineName === 'chatbot-escalation')!.Properties.DefinitionString);
    const onCallTopic = Object.entries(core.findResources('AWS::SNS::Topic')).find(
      ([, t]) => (t.Properties as { TopicName: string }).TopicName === 'chatbot-page-on-call-primary',
    )![0];
    assert.ok(raw.includes(`{"Ref":"${onCallTopic}"}`), 'the escalation publishes to the on-call primary topic');
    for (const [name, state] of tasks.filter(([n]) => Object.values(catchTargets).includes(n))) {
      assert.match(state.Resource!, /:states:::sns:publish$/, name);
      assert.equal(state.Parameters!.MessageStructure, 'json');
      assert.deepEqual(Object.keys(state.Parameters!.Message as object).sort(), ['default.$', 'email.$', 'sms.$']);
    }
  });

  it('both state machines may publish to the on-call primary topic (and use its key), and to no other topic', () => {
    const policies = Object.entries(core.findResources('AWS::IAM::Policy')).filter(([id]) => /StateMachineRole|VerifyStateMachineRole/.test(id));
    assert.equal(policies.length, 2);
    for (const [id, policy] of policies) {
      const statements = (policy.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }).PolicyDocument.Statement;
      const publish = statements.filter((s) => [s.Action].flat().includes('sns:Publish'));
      assert.equal(publish.length, 1, id);
      assert.match(JSON.stringify(publish[0]!.Resource), /TopicsRoleOnCallPrimary/, id);
      assert.ok(
        statements.some((s) => [s.Action].flat().includes('kms:GenerateDataKey*')),
        `${id}: the topics are encrypted`,
      );
    }
  });

  it('failed, timed-out and throttled executions and throttled functions alarm (AWS/States by state machine ARN, AWS/Lambda by name)', () => {
    const arn = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:states:us-east-1:\${AWS::AccountId}:stateMachine:${name}` });
    const query = (id: string, namespace: string, metricName: string, dimension: { Name: string; Value: unknown }) => ({
      Id: id,
      ReturnData: false,
      MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: [dimension] }, Period: 60, Stat: 'Sum' },
    });
    core.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'chatbot-EscalationExecutionFailures',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      Metrics: [
        query('failed1', 'AWS/States', 'ExecutionsFailed', { Name: 'StateMachineArn', Value: arn('chatbot-escalation') }),
        query('failed2', 'AWS/States', 'ExecutionsFailed', { Name: 'StateMachineArn', Value: arn('chatbot-verify') }),
        query('timedOut1', 'AWS/States', 'ExecutionsTimedOut', { Name: 'StateMachineArn', Value: arn('chatbot-escalation') }),
        query('timedOut2', 'AWS/States', 'ExecutionsTimedOut', { Name: 'StateMachineArn', Value: arn('chatbot-verify') }),
        Match.objectLike({ Id: 'expr', Expression: '(FILL(failed1, 0) + FILL(failed2, 0)) + (FILL(timedOut1, 0) + FILL(timedOut2, 0))', ReturnData: true }),
      ],
    });
    core.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'chatbot-EscalationThrottles',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Metrics: [
        query('functions1', 'AWS/Lambda', 'Throttles', { Name: 'FunctionName', Value: 'chatbot-escalation-starter' }),
        query('functions2', 'AWS/Lambda', 'Throttles', { Name: 'FunctionName', Value: 'chatbot-escalation-pager' }),
        query('executions1', 'AWS/States', 'ExecutionThrottled', { Name: 'StateMachineArn', Value: arn('chatbot-escalation') }),
        query('executions2', 'AWS/States', 'ExecutionThrottled', { Name: 'StateMachineArn', Value: arn('chatbot-verify') }),
        Match.objectLike({ Id: 'expr' }),
      ],
    });
    // a configured account is written in, as the state machines' real ARN has it
    const pinned = synth(config({ account: '123456789012' })).templates.get('chatbot-alerting')!;
    pinned.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'chatbot-EscalationExecutionFailures',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Id: 'failed1',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              Dimensions: [
                { Name: 'StateMachineArn', Value: { 'Fn::Sub': 'arn:${AWS::Partition}:states:us-east-1:123456789012:stateMachine:chatbot-escalation' } },
              ],
            }),
          }),
        }),
      ]),
    });
  });
});
