import { after, before } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigInput } from '../../lib/core/config/schema';
import { createCollaborationWorld, DRILL_INTEGRATIONS, type CollaborationWorld } from '../../tools/drill/collaboration-world';
import { useEscalation, type EscalationHarness } from './escalation';
import { startFakeEndpoints, type FakeEndpoints, type RecordedRequest } from './fake-endpoints';
import { recordingLogger, type LogLine } from './responder';

export interface CollaborationHarness extends EscalationHarness {
  readonly fake: FakeEndpoints;
  /** The collaboration function's dependencies; its outbound HTTP reaches the fake, on a fake clock. */
  readonly collaboration: CollaborationWorld['deps'];
  /** What the collaboration function logged. */
  readonly collaborationLogs: LogLine[];
  readonly drain: CollaborationWorld['drain'];
  readonly redeliver: CollaborationWorld['redeliver'];
  /** Every item of the audit table, as stored (timeline, actions, the integrations' state). */
  table(): Promise<Record<string, unknown>[]>;
}

/**
 * The escalation harness (moto, the real responder and starter, the synthesized state machines in-process) plus
 * the collaboration function reading the audit table's stream, against loopback fakes of Slack, Statuspage,
 * GitHub, Jira and PagerDuty.
 */
export function useCollaboration(): { fresh: (options?: { config?: Partial<ConfigInput> }) => Promise<CollaborationHarness> } {
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
      const h = await escalation.fresh({ ...options, config: { integrations: DRILL_INTEGRATIONS, ...options.config } });
      const logger = recordingLogger();
      const logs = logger.lines;
      const world = await createCollaborationWorld({
        settings: h.moto.clientConfig,
        clients: h.clients,
        config: h.config,
        auditTable: h.sample.auditTable,
        store: h.deps.store,
        audit: h.deps.audit,
        fake,
        logger,
      });
      return {
        ...h,
        fake,
        collaboration: world.deps,
        collaborationLogs: logs,
        drain: world.drain,
        redeliver: world.redeliver,
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
