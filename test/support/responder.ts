import { DRILL_ACCOUNT, localResponder } from '../../tools/drill/local-responder';
import { after, before } from 'node:test';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createClients, type AwsClients, type ClientSettings } from '../../lambdas/shared/clients';
import type { PipelineDeps } from '../../lambdas/responder/pipeline';
import type { RevertDeps } from '../../lambdas/responder/revert';
import type { AuditLog } from '../../lambdas/shared/storage/audit-log';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import type { ActionMetrics, Log } from '../../lambdas/shared/observability';
import { createSampleWorld, type SampleWorld } from '../../tools/drill/sample-world';
import { alarmNotification, snsEvent, type AlarmChange } from '../../tools/drill/notifications';
import type { AutomationMode, Config } from '../../lib/core/config/schema';
import { config as defaultConfig } from './config';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { findAlert } from '../../lib/core/catalog';
import type { Moto } from '../../tools/drill/moto';
import { acquireMoto } from '../../tools/drill/moto-pool';

/** A log line captured from a function. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: Record<string, unknown> | undefined;
}

/** A logger that keeps what it is told, in `lines`. */
export function recordingLogger(): Log & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (message, extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, extra) => lines.push({ level: 'warn', message, extra }),
    error: (message, extra) => lines.push({ level: 'error', message, extra }),
  };
}

/** A responder wired to a fresh sample world in moto, with its logs and metrics captured. */
export interface ResponderHarness {
  readonly moto: Moto;
  readonly clients: AwsClients;
  readonly config: Config;
  readonly world: SampleWorld;
  readonly logs: LogLine[];
  readonly metrics: [string, string][];
  readonly audit: AuditLog;
  /** Builds the CloudWatch notification for a change and delivers it as SNS would. */
  deliver(change: AlarmChange, options?: { now?: Date; topic?: string; clients?: AwsClients }): Promise<void>;
  /** Delivers any event as is; `verification` starts the check of each action that succeeded (default: none). */
  invoke(event: unknown, options?: { now?: Date; clients?: AwsClients; verification?: PipelineDeps['verification'] }): Promise<void>;
}

/**
 * One moto server per test file; `fresh()` wipes it and builds a new sample world, so every test starts from
 * the same state. Call at the top level of a test file.
 */
export function useResponder(): { fresh: (options?: { mode?: AutomationMode; config?: Config }) => Promise<ResponderHarness> } {
  let moto: Moto | undefined;
  before(async () => {
    moto = await acquireMoto();
  });
  after(async () => {
    await moto?.stop();
  });
  return {
    async fresh(options = {}) {
      if (!moto) throw new Error('moto not started');
      await moto.reset();
      const settings: ClientSettings = { ...moto.clientConfig, maxAttempts: 2 };
      const clients = createClients(settings);
      const config = options.config ?? defaultConfig();
      const world = await createSampleWorld(clients, settings, config, options.mode ?? 'enabled');
      const log = recordingLogger();
      const logs = log.lines;
      const metrics: [string, string][] = [];
      const counter: ActionMetrics = { count: (name, dimension) => metrics.push([name, dimension]) };
      const { audit } = openStores({
        dynamo: clients.dynamo,
        table: world.auditTable,
        retentionDays: config.automation.auditRetentionDays,
        now: () => new Date(),
      });
      const handlerFor = (now: Date | undefined, c: AwsClients, verification?: PipelineDeps['verification']) =>
        localResponder({ config, clients: c, world, now: () => now ?? new Date(), logger: log, metrics: counter, ...(verification ? { verification } : {}) });
      const harness: ResponderHarness = {
        moto,
        clients,
        config,
        world,
        logs,
        metrics,
        audit,
        invoke: (event, o = {}) => handlerFor(o.now, o.clients ?? clients, o.verification)(event),
        deliver: (change, o = {}) => {
          const severity = alertSettings(findAlert(change.alertId)!, config).severity;
          const topic = o.topic ?? world.severityTopicArns[severity]!;
          return harness.invoke(snsEvent(topic, JSON.stringify(alarmNotification(config, change))), o);
        },
      };
      return harness;
    },
  };
}

/** Subscribes a queue to the on-call topic; the returned function reads what on-call was told since. */
export async function onCallInbox(h: ResponderHarness): Promise<() => Promise<string[]>> {
  const { QueueUrl } = await h.clients.sqs.send(new CreateQueueCommand({ QueueName: 'oncall-inbox' }));
  const { Attributes } = await h.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await h.clients.sns.send(
    new SubscribeCommand({ TopicArn: h.world.announceTopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn!, Attributes: { RawMessageDelivery: 'true' } }),
  );
  return async () => {
    const { Messages } = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    return (Messages ?? []).map((m) => m.Body ?? '');
  };
}

/** What `oncall revert` hands the revert, from a harness: its world, account and a silent logger. */
export function revertDeps(h: ResponderHarness): RevertDeps {
  return {
    accountId: DRILL_ACCOUNT,
    partition: 'aws',
    region: h.config.region,
    config: h.config,
    clients: h.clients,
    audit: h.audit,
    announceTopicArn: h.world.announceTopicArn,
    automationModeParameter: h.world.automationModeParameter,
    now: () => new Date(),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
}
