import { CreateQueueCommand, ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import type { EscalationDeps } from '../../lambdas/escalation/deps';
import { onAlarmStateChange } from '../../lambdas/escalation/incident-lifecycle';
import { pageStep, type StepResult } from '../../lambdas/escalation/pager';
import { verifyAction } from '../../lambdas/escalation/verifier';
import type { AwsClients } from '../../lambdas/shared/clients';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import type { LockLimits } from '../../lambdas/shared/storage/store-options';
import { ShortLinkStore } from '../../lambdas/shared/short-links';
import type { Log } from '../../lambdas/shared/observability';
import { ROLES, type Role } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { roleTopicName } from '../../lib/core/topic-names';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { DrillClock } from './drill-clock';
import { localRunner, type LocalRunner, type LocalTaskHandler } from './local-runner';

/** A page as a role's inbox received it. */
export interface ReceivedPage {
  readonly role: Role;
  readonly text: string;
}

/** The escalation wired to an emulated account: role topics with an inbox each, the real handlers, a local runner. */
export interface EscalationWorld {
  readonly deps: EscalationDeps;
  readonly runner: LocalRunner;
  readonly verifyRunner: LocalRunner;
  /** Drains every role's inbox. */
  inbox(): Promise<ReceivedPage[]>;
  /** Delivers an EventBridge alarm state change to the starter. */
  event(event: unknown): ReturnType<typeof onAlarmStateChange>;
  /**
   * Settles with what step `index` of the timetable did (paged, or why nobody was) once its page task has
   * returned, in the first execution that ran it, of the incident or the execution named `of` if given: the
   * event to wait on before acting on what that step did (ack after the senior page), never a sleep.
   */
  stepRan(index: number, of?: string): Promise<StepResult>;
}

/**
 * Builds, in an emulated account that already has the audit table (createSampleWorld), one topic per role with
 * a queue subscribed to it as an inbox, and the escalation dependencies around the real handlers, running the
 * synthesized state machine definitions in-process.
 */
export async function createEscalationWorld(options: {
  clients: AwsClients;
  config: Config;
  auditTable: string;
  escalationDefinition: StateMachineDefinition;
  verifyDefinition: StateMachineDefinition;
  linkKey: string;
  linkBaseUrl?: string;
  logger: Log;
  now?: () => Date;
  /**
   * Runs the state machines on the drill's simulated time instead of the wall clock (and `now`): a Wait holds
   * its task until the clock reaches the Wait's timestamp, and the task runs at that instant, so every page and
   * timeline event carries the timetable's own time. @default Waits wait for real, handlers read `now`
   */
  clock?: DrillClock;
  /** Milliseconds between the state machines' retries. @default the definitions' own (5 s, then backoff) */
  retryIntervalMs?: number;
  /** The grouping lock's limits (StoreOptions.lockLimits). @default the stores' own */
  lockLimits?: LockLimits;
}): Promise<EscalationWorld> {
  const { clients, config } = options;
  const topicArns = new Map<Role, string>();
  const queues = new Map<Role, string>();
  for (const role of ROLES) {
    const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: roleTopicName(config.prefix, role) }));
    const queueName = `${config.prefix}-inbox-${role}`;
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    // The queue's ARN is the topic's with the service and the name changed (same partition, region and account).
    const queueArn = TopicArn!.replace(/^(arn:[^:]+):sns:([^:]+:[^:]+):.*$/, `$1:sqs:$2:${queueName}`);
    await clients.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
    topicArns.set(role, TopicArn!);
    queues.set(role, QueueUrl!);
  }
  // On the drill's clock, every handler and store reads the simulated time.
  const now = options.clock ? () => options.clock!.now() : (options.now ?? (() => new Date()));
  const { incidents, audit, silences } = openStores({
    dynamo: clients.dynamo,
    table: options.auditTable,
    retentionDays: config.automation.auditRetentionDays,
    now,
    lockLimits: options.lockLimits,
  });
  // The runners call the handlers with the deps, and the deps hold the runner: bind late.
  let deps!: EscalationDeps;
  // The catch targets publish straight to the on-call primary's topic, as their synthesized Parameters say (the
  // topic's ARN is a placeholder in the local definition); Step Functions serializes a JSON Message object.
  const pageOnCallDirectly = async (input: unknown) => {
    const { Message, MessageStructure, Subject } = input as { Message: unknown; MessageStructure?: string; Subject?: string };
    const message = typeof Message === 'string' ? Message : JSON.stringify(Message);
    const { MessageId } = await clients.sns.send(
      new PublishCommand({ TopicArn: topicArns.get('on-call-primary'), Message: message, MessageStructure, Subject }),
    );
    return { MessageId };
  };
  const { clock } = options;
  const runOptions = { retryIntervalMs: options.retryIntervalMs, ...(clock ? { waitMs: 0 } : {}) };
  // On the drill's clock the Wait states pass at once and this stands in for them: the task waits until the
  // clock reaches the timestamp the Wait would have waited for (`step.at`, the verification window's `at`), and
  // runs at that instant. Stopped before then (the incident resolved), it never runs, as in Step Functions.
  const timed =
    (handler: LocalTaskHandler, timestampOf: (input: unknown) => string | undefined): LocalTaskHandler =>
    async (input, execution) => {
      const timestamp = timestampOf(input);
      if (!clock || timestamp === undefined) return handler(input, execution);
      const at = new Date(timestamp);
      if (!(await clock.until(at, execution.stopped))) return { skipped: 'execution stopped before its time' };
      return clock.run(at, () => handler(input, execution));
    };
  // Keyed by step index alone (any incident's), and with the incident or the execution.
  const steps = new Map<string, { readonly ran: Promise<StepResult>; readonly settle: (result: StepResult) => void }>();
  const stepOf = (index: number, of?: string) => {
    const key = of === undefined ? String(index) : `${of}#${index}`;
    let entry = steps.get(key);
    if (!entry) {
      let settle!: (result: StepResult) => void;
      const ran = new Promise<StepResult>((resolve) => (settle = resolve));
      steps.set(key, (entry = { ran, settle }));
    }
    return entry;
  };
  const page = timed(
    async (input, execution) => {
      const result = await pageStep(deps, input);
      const { incidentId, step } = input as { incidentId: string; step: { index: number } };
      for (const of of [undefined, incidentId, execution.name]) stepOf(step.index, of).settle(result);
      return result;
    },
    (input) => (input as { step?: { at?: string } }).step?.at,
  );
  const verify = timed(
    (input) => verifyAction(deps, input),
    (input) => (input as { at?: string }).at,
  );
  const runner = localRunner(options.escalationDefinition, { PageStep: page, PageOnCallDirectly: pageOnCallDirectly }, runOptions);
  const verifyRunner = localRunner(options.verifyDefinition, { VerifyAction: verify, VerifyFailedPageOnCall: pageOnCallDirectly }, runOptions);
  deps = {
    config,
    clients,
    store: incidents,
    audit,
    silences,
    runner,
    roleTopicArn: (role) => topicArns.get(role)!,
    linkKey: async () => options.linkKey,
    shortLinks: new ShortLinkStore(clients.dynamo, options.auditTable),
    linkBaseUrl: options.linkBaseUrl ?? 'https://links.example.invalid',
    now,
    logger: options.logger,
  };

  return {
    deps,
    runner,
    verifyRunner,
    event: (event) => onAlarmStateChange(deps, event),
    stepRan: (index, of) => stepOf(index, of).ran,
    async inbox() {
      const pages: ReceivedPage[] = [];
      for (const [role, QueueUrl] of queues) {
        for (;;) {
          const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
          if (!Messages?.length) break;
          pages.push(...Messages.map((m) => ({ role, text: m.Body ?? '' })));
          await clients.sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
          );
        }
      }
      return pages;
    },
  };
}
