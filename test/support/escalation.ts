import { localResponder } from '../../tools/drill/local-responder';
import { after, before } from 'node:test';
import type { Config, ConfigInput } from '../../lib/core/config/schema';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import { DrillClock } from '../../tools/drill/drill-clock';
import { createEscalationWorld, type EscalationWorld } from '../../tools/drill/escalation-world';
import { stateMachineDefinition } from '../../tools/drill/local-runner';
import { isolateMotoConditionalWrites, type Moto } from '../../tools/drill/moto';
import { acquireMoto } from '../../tools/drill/moto-pool';
import { createSampleWorld, type SampleWorld } from '../../tools/drill/sample-world';
import { config as makeConfig } from './config';
import { synthesizedTemplates } from './synthesized';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { alarmName, findAlert } from '../../lib/core/catalog';
import { SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import { putSynthesizedAlarm } from '../../tools/drill/synthesized-alarm';
import type { CfnTemplate } from '../../tools/drill/templates';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
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
  /**
   * With `fresh({ clock: true })`: the simulated time every handler reads. Its t+0 is when the world was made;
   * `event` and `alarm` happen at the time it has reached, and an escalation step runs only once it reaches the
   * step's time.
   */
  readonly clock?: DrillClock;
  /** With `fresh({ clock: true })`: moves the clock to `minutes` after t+0 and runs `work` at that instant. */
  at<T>(minutes: number, work: () => Promise<T>): Promise<T>;
}

export interface HarnessOptions {
  config?: Partial<ConfigInput>;
  /**
   * Runs the escalation on a drill clock instead of the wall clock: what happens before or after a deadline of
   * the runbook's timetable is placed there by the test, whatever the machine's load. On the wall clock only the
   * first step of a timetable is ever due during a test (the next is 15 minutes away at the soonest).
   * @default false
   */
  clock?: boolean;
}

/** One moto server and one synth per test file; `fresh()` starts from an empty account each time. */
export function useEscalation(): { fresh: (options?: HarnessOptions) => Promise<EscalationHarness> } {
  let moto: Moto | undefined;
  const worlds: EscalationWorld[] = [];
  let templates: ReadonlyMap<string, CfnTemplate> = new Map();
  let escalationDefinition: StateMachineDefinition | undefined;
  let verifyDefinition: StateMachineDefinition | undefined;

  before(async () => {
    [moto, templates] = await Promise.all([acquireMoto(), synthesizedTemplates(makeConfig())]);
    escalationDefinition = stateMachineDefinition(templates.values(), 'chatbot-escalation');
    verifyDefinition = stateMachineDefinition(templates.values(), 'chatbot-verify');
  });
  after(async () => {
    await Promise.all(worlds.flatMap((w) => [w.runner.stopAll(), w.verifyRunner.stopAll()]));
    await moto?.stop();
  });
  return {
    async fresh(options = {}) {
      if (!moto || !escalationDefinition || !verifyDefinition) throw new Error('fresh() runs inside a test: moto and the definitions come in before()');
      await Promise.all(worlds.splice(0).flatMap((w) => [w.runner.stopAll(), w.verifyRunner.stopAll()]));
      await moto.reset();
      const clients = createClients({ ...moto.clientConfig, maxAttempts: 2 });
      // The starter, the pager, the responder and the verifier of a test share this client: on a loaded machine their
      // requests overlap, and moto's conditional writes are not atomic under overlap (isolateMotoConditionalWrites).
      isolateMotoConditionalWrites(clients);
      const clock = options.clock ? new DrillClock(new Date()) : undefined;
      const config = makeConfig(options.config);
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
        // Twenty starters at once on a loaded machine take moto far longer than DynamoDB to get through the lock.
        lockLimits: { ttlMs: 60_000, timeoutMs: 180_000 },
        clock,
      });
      worlds.push(world);
      const respond = (now: Date | undefined) =>
        localResponder({
          config,
          clients,
          world: sample,
          now: () => now ?? world.deps.now(),
          logger,
          verification: {
            start: async (actionId, at) => void (await world.verifyRunner.start(`verify-${actionId}`, { actionId, at: at.toISOString() } as never)),
          },
        });
      // On the clock, what the test does happens at the time the clock has reached.
      const onClock = <T>(work: () => Promise<T>) => (clock ? clock.run(clock.time, work) : work());
      const event = (e: unknown) => onClock(() => world.event(e));
      const alarm = (change: AlarmChange, o: { now?: Date } = {}) =>
        onClock(async () => {
          const at = change.at ?? o.now ?? clock?.time ?? new Date();
          const outcome = await world.event(alarmStateChangeEvent(config, { ...change, at }));
          const severity = alertSettings(findAlert(change.alertId)!, config).severity;
          await respond(o.now)(snsEvent(sample.severityTopicArns[severity]!, JSON.stringify(alarmNotification(config, { ...change, at }))));
          return { incidentId: (outcome as { incidentId?: string }).incidentId };
        });
      const at = <T>(minutes: number, work: () => Promise<T>) => {
        if (!clock) throw new Error('h.at needs fresh({ clock: true })');
        clock.advanceTo(clock.at(minutes));
        return clock.run(clock.at(minutes), work);
      };
      const putAlarm = async (alertId: string, instance?: string, state?: { value: StateValue; reason: string }) => {
        const name = alarmName(config.prefix, alertId, instance);
        await putSynthesizedAlarm(clients.cloudwatch, templates.values(), name);
        if (state) await clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state.value, StateReason: state.reason }));
        return name;
      };
      return { ...world, moto, sample, clients, config, logs, event, alarm, putAlarm, clock, at };
    },
  };
}
