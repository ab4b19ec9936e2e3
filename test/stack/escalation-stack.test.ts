import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import aslValidator from 'asl-validator';
import { definitionOf } from '../../lib/drill/local-runner';
import { config, synth } from '../support/synth';

const core = synth(config()).templates.get('chatbot-alerting')!;
type Machine = { Properties: { StateMachineName: string; DefinitionString: unknown; TracingConfiguration?: unknown; LoggingConfiguration?: { Level: string } } };
const machines = Object.values(core.findResources('AWS::StepFunctions::StateMachine') as Record<string, Machine>);

describe('escalation resources', () => {
  for (const name of ['chatbot-escalation', 'chatbot-verify']) {
    it(`${name}: the synthesized definition passes asl-validator, with tracing and full logging`, () => {
      const machine = machines.find((m) => m.Properties.StateMachineName === name)!;
      const { isValid, errorsText } = aslValidator(definitionOf(machine) as never);
      assert.ok(isValid, errorsText('\n'));
      assert.deepEqual(machine.Properties.TracingConfiguration, { Enabled: true });
      assert.equal(machine.Properties.LoggingConfiguration?.Level, 'ALL');
    });
  }

  it('the escalation is a Map over the timetable: wait until each step, then page (timers, no polling)', () => {
    const definition = definitionOf(machines.find((m) => m.Properties.StateMachineName === 'chatbot-escalation')!) as unknown as { StartAt: string; States: Record<string, Record<string, unknown>> };
    const map = definition.States[definition.StartAt]!;
    assert.equal(map.Type, 'Map');
    assert.equal(map.ItemsPath, '$.steps');
    assert.equal(map.MaxConcurrency, 1);
    const inner = (map.ItemProcessor as { StartAt: string; States: Record<string, Record<string, unknown>> });
    assert.deepEqual(Object.keys(inner.States), ['WaitForStep', 'PageStep']);
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
});
