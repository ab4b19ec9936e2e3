import { localResponder } from '../../tools/drill/local-responder';
import { after, before } from 'node:test';
import { compressedPolicies } from '../../tools/drill/compressed-policies';
import type { Config, ConfigInput } from '../../lib/core/config/schema';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import { createEscalationWorld, type EscalationWorld } from '../../tools/drill/escalation-world';
import { definitionOf } from '../../tools/drill/local-runner';
import type { Moto } from '../../tools/drill/moto';
import { acquireMoto } from '../../tools/drill/moto-pool';
import { createSampleWorld, type SampleWorld } from '../../tools/drill/sample-world';
import { config as makeConfig, synth } from './synth';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { alarmName, findAlert } from '../../lib/core/catalog';
import { SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { stacksOf } from '../../lib/infra/app';
import { putSynthesizedAlarm } from '../../tools/drill/synthesized-alarm';
import { alarmNotification, alarmStateChangeEvent, snsEvent, type AlarmChange } from '../../tools/drill/notifications';
import { recordingLogger, type LogLine } from './responder';

export interface EscalationHarness extends EscalationWorld {
  readonly moto: Moto;
  /** The responders' side of the emulated account (topics, switch, dead-letter queue). */
  readonly sample: SampleWorld;
  readonly clients: AwsClients;
  readonly config: Config;
  readonly logs: LogLine[];
  /**
   * An alarm transition as CloudWatch delivers it: the EventBridge event to the escalation starter, then the SNS
   * notification to the real responder (whose actions are verified by the local verification runner).
   */
  alarm(change: AlarmChange, options?: { now?: Date }): Promise<{ incidentId?: string }>;
  /**
   * Creates in moto the alarm of `alertId` (and `instance`) as the default environment synthesizes it, set to `state`
   * with `reason` if given (moto starts it in INSUFFICIENT_DATA). @returns its name
   */
  putAlarm(alertId: string, instance?: string, state?: { value: StateValue; reason: string }): Promise<string>;
}

/** One moto server and one synth per test file; `fresh()` starts from an empty account each time. */
export function useEscalation(): { fresh: (options?: { config?: Partial<ConfigInput>; secondsPerHour?: number }) => Promise<EscalationHarness> } {
  let moto: Moto | undefined;
  const worlds: EscalationWorld[] = [];
  const synthesized = synth(makeConfig());
  const core = synthesized.templates.get('chatbot-alerting')!;
  const machines = core.findResources('AWS::StepFunctions::StateMachine') as Record<
    string,
    { Properties: { StateMachineName: string; DefinitionString: unknown } }
  >;
  const byName = (name: string) => definitionOf(Object.values(machines).find((m) => m.Properties.StateMachineName === name)!);
  const escalationDefinition = byName('chatbot-escalation');
  const verifyDefinition = byName('chatbot-verify');

  before(async () => {
    moto = await acquireMoto();
  });
  after(async () => {
    await Promise.all(worlds.flatMap((w) => [w.runner.stopAll(), w.verifyRunner.stopAll()]));
    await moto?.stop();
  });
  return {
    async fresh(options = {}) {
      if (!moto) throw new Error('moto not started');
      await Promise.all(worlds.splice(0).flatMap((w) => [w.runner.stopAll(), w.verifyRunner.stopAll()]));
      await moto.reset();
      const clients = createClients({ ...moto.clientConfig, maxAttempts: 2 });
      const config = makeConfig({
        ...options.config,
        escalation: { policies: compressedPolicies(options.secondsPerHour ?? 2), groupWindowMinutes: 10, ...options.config?.escalation },
      });
      const sample = await createSampleWorld(clients, moto.clientConfig, config, 'enabled');
      const logger = recordingLogger();
      const logs = logger.lines;
      const world = await createEscalationWorld({
        clients,
        config,
        auditTable: sample.auditTable,
        escalationDefinition,
        verifyDefinition,
        linkKey: 'test-link-key-0123456789abcdef',
        logger,
        retryIntervalMs: 20,
      });
      worlds.push(world);
      const respond = (now: Date | undefined) =>
        localResponder({
          config,
          clients,
          world: sample,
          now: () => now ?? new Date(),
          logger,
          verification: {
            start: async (actionId, at) => void (await world.verifyRunner.start(`verify-${actionId}`, { actionId, at: at.toISOString() } as never)),
          },
        });
      const alarm = async (change: AlarmChange, o: { now?: Date } = {}) => {
        const at = change.at ?? o.now ?? new Date();
        const outcome = await world.event(alarmStateChangeEvent(config, { ...change, at }));
        const severity = alertSettings(findAlert(change.alertId)!, config).severity;
        await respond(o.now)(snsEvent(sample.severityTopicArns[severity]!, JSON.stringify(alarmNotification(config, { ...change, at }))));
        return { incidentId: (outcome as { incidentId?: string }).incidentId };
      };
      const putAlarm = async (alertId: string, instance?: string, state?: { value: StateValue; reason: string }) => {
        const name = alarmName(config.prefix, alertId, instance);
        await putSynthesizedAlarm(clients.cloudwatch, stacksOf(synthesized.built), name);
        if (state) await clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state.value, StateReason: state.reason }));
        return name;
      };
      return { ...world, moto, sample, clients, config, logs, alarm, putAlarm };
    },
  };
}
