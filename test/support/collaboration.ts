import { after, before } from 'node:test';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { processRecords } from '../../lambdas/collaboration/collaborator';
import type { CollaborationDeps } from '../../lambdas/collaboration/deps';
import { CollaborationState } from '../../lambdas/collaboration/state';
import type { Log } from '../../lambdas/shared/observability';
import type { ConfigInput } from '../../lib/config/schema';
import { localStream } from '../../lib/drill/stream-runner';
import { useEscalation, type EscalationHarness } from './escalation';
import { startFakeEndpoints, type FakeEndpoints, type FakeRuntime, type RecordedRequest } from './fake-endpoints';
import type { LogLine } from './responder';

const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:alerting/${name}`;

/** Every integration on, each secret in the emulated Secrets Manager (partial ARNs: by name, as AWS allows). */
export const ALL_INTEGRATIONS = {
  slack: { tokenSecretArn: ARN('slack-bot-token'), inviteUsers: ['U0ONCALL1', 'U0ONCALL2'] },
  statusPage: { apiKeySecretArn: ARN('statuspage-api-key'), pageId: 'kctbh9vrtdwd', components: { 'chatbot-api': '8kbf7d35c070', default: '9zzf7d35c071' } },
  tickets: { provider: 'github' as const, tokenSecretArn: ARN('github-token'), repository: 'acme/chatbot-ops' },
  pagerDuty: { routingKeySecretArn: ARN('pagerduty-routing-key') },
} satisfies ConfigInput['integrations'];

export interface CollaborationHarness extends EscalationHarness {
  readonly fake: FakeEndpoints;
  /** The collaboration function's dependencies; its outbound HTTP reaches the fake, on a fake clock. */
  readonly collaboration: CollaborationDeps & { readonly runtime: FakeRuntime };
  /** What the collaboration function logged. */
  readonly collaborationLogs: LogLine[];
  /** Hands every new stream record to the real collaboration handler, as the event source mapping would. */
  drain(): Promise<number>;
  /** Hands every record since the start to the handler again: a retried batch, a replayed shard. */
  redeliver(): Promise<number>;
  /** Every item of the audit table, as stored (timeline, actions, the integrations' state). */
  table(): Promise<Record<string, unknown>[]>;
}

/**
 * The escalation harness (moto, the real responder and starter, the synthesized state machines in-process) plus
 * the collaboration function reading the audit table's stream, against loopback fakes of Slack, Statuspage,
 * GitHub, Jira and PagerDuty.
 */
export function useCollaboration(): { fresh: (options?: { config?: Partial<ConfigInput>; secondsPerHour?: number }) => Promise<CollaborationHarness> } {
  const escalation = useEscalation();
  let fake: FakeEndpoints | undefined;
  before(async () => {
    fake = await startFakeEndpoints();
  });
  after(async () => fake?.stop());
  return {
    async fresh(options = {}) {
      if (!fake) throw new Error('fake endpoints not started');
      fake.clear();
      const h = await escalation.fresh({ ...options, config: { integrations: ALL_INTEGRATIONS, ...options.config } });
      const secrets = new SecretsManagerClient(h.moto.clientConfig);
      const names = { 'slack-bot-token': fake.tokens.slack, 'statuspage-api-key': fake.tokens.statuspage, 'github-token': fake.tokens.github, 'jira-credentials': fake.tokens.jira, 'pagerduty-routing-key': fake.tokens.pagerduty };
      for (const [name, value] of Object.entries(names)) await secrets.send(new CreateSecretCommand({ Name: `alerting/${name}`, SecretString: value }));
      const logs: LogLine[] = [];
      const logger: Log = {
        info: (message, extra) => logs.push({ level: 'info', message, extra }),
        warn: (message, extra) => logs.push({ level: 'warn', message, extra }),
        error: (message, extra) => logs.push({ level: 'error', message, extra }),
      };
      const retention = h.config.automation.auditRetentionDays;
      const collaboration = {
        config: h.config,
        store: h.deps.store,
        audit: h.deps.audit,
        state: new CollaborationState(h.clients.dynamo, h.sample.auditTable, retention),
        secret: async (arn: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '',
        runtime: fake.runtime(),
        now: () => new Date(),
        logger,
      };
      const stream = await localStream(h.moto.clientConfig, h.sample.auditTable);
      const consume = (records: Parameters<typeof processRecords>[1]) => processRecords(collaboration, records);
      return {
        ...h,
        fake,
        collaboration,
        collaborationLogs: logs,
        drain: () => stream.drain(consume),
        redeliver: async () => (await localStream(h.moto.clientConfig, h.sample.auditTable)).drain(consume),
        table: async () => (await h.clients.dynamo.send(new ScanCommand({ TableName: h.sample.auditTable }))).Items ?? [],
      };
    },
  };
}

/** Polls until `check` holds. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request to a fake as a line of the incident's story: `slack post page`, `statuspage update resolved`, `pagerduty trigger`. */
export function story(r: RecordedRequest): string {
  const body = (r.body ?? {}) as Record<string, Record<string, unknown> | undefined>;
  if (r.service === 'slack') {
    const method = r.path.split('?')[0]!.split('/').pop()!;
    if (method !== 'chat.postMessage') return `slack ${method}`;
    const text = String(body.text);
    const kind = /Paged /.test(text) ? 'page' : /automation (did|DRY-RUN|FAILED)/.test(text) ? 'action' : /\*Resolved\*/.test(text) ? 'resolution' : 'other';
    return `slack post ${kind}`;
  }
  if (r.service === 'statuspage') return `statuspage ${r.method === 'POST' ? 'open' : 'update'} ${String(body.incident?.status)}`;
  if (r.service === 'pagerduty') return `pagerduty ${String(body.event_action)}`;
  return `${r.service} ${r.method} ${r.path}`;
}
