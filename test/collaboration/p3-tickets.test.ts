import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DRILL_INTEGRATIONS } from '../../tools/drill/collaboration-world';
import type { ConfigInput } from '../../lib/core/config/schema';
import { until, useCollaboration, type CollaborationHarness } from '../support/collaboration';

const { fresh } = useCollaboration();

const JIRA = {
  provider: 'jira',
  credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:alerting/jira-credentials',
  baseUrl: 'https://acme.atlassian.net',
  projectKey: 'OPS',
  doneTransitionId: '31',
  reopenTransitionId: '11',
} as const;

/** HighCPUUtilization (P3) on chatbot-api fires and clears `times` times, two minutes apart; returns the incidents. */
async function flap(h: CollaborationHarness, times: number): Promise<string[]> {
  const start = Date.now() - times * 120_000;
  const incidents: string[] = [];
  for (let i = 0; i < times; i++) {
    const at = new Date(start + i * 120_000);
    const { incidentId } = await h.alarm({ alertId: 'HighCPUUtilization', instance: 'chatbot-api', at });
    await until(async () => (await h.deps.store.timeline(incidentId!)).some((e) => e.type === 'ticket'), 'the ticket request');
    await h.drain();
    await h.alarm({ alertId: 'HighCPUUtilization', instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM', at: new Date(at.getTime() + 60_000) });
    await h.drain();
    incidents.push(incidentId!);
  }
  return incidents;
}

const PROVIDERS: readonly {
  name: string;
  tickets: NonNullable<ConfigInput['integrations']>['tickets'];
  created: (h: CollaborationHarness) => number;
  check: (h: CollaborationHarness, incidents: string[]) => void;
}[] = [
  {
    name: 'GitHub Issues',
    tickets: DRILL_INTEGRATIONS.tickets,
    created: (h) => h.fake.requestsTo('github').filter((r) => r.method === 'POST' && r.path === '/repos/acme/chatbot-ops/issues').length,
    check(h, incidents) {
      const [issue, ...others] = h.fake.state.github.issues;
      assert.equal(others.length, 0);
      assert.match(issue!.title, /^\[P3\] HighCPUUtilization \(chatbot-api\): /);
      assert.match(issue!.body!, /Recent changes \(last 30 min\)/, 'filed with the context');
      assert.ok(issue!.body!.includes(incidents[0]!));
      assert.equal(issue!.state, 'closed');
      assert.deepEqual(
        issue!.comments.map((c) => c.body.split(' ')[0]),
        ['Resolved', 'Fired', 'Resolved', 'Fired', 'Resolved'],
      );
      incidents.forEach((id, i) => assert.ok(issue!.comments[2 * i]!.body.includes(`(incident ${id})`), `the resolution of ${id} names it`));
    },
  },
  {
    name: 'Jira',
    tickets: JIRA,
    created: (h) => h.fake.requestsTo('jira').filter((r) => r.method === 'POST' && r.path === '/rest/api/3/issue').length,
    check(h) {
      const [issue, ...others] = h.fake.state.jira.issues;
      assert.equal(others.length, 0);
      assert.equal(issue!.project, 'OPS');
      assert.match(issue!.descriptionText, /Recent changes \(last 30 min\)/);
      assert.deepEqual(issue!.transitions, ['31', '11', '31', '11', '31'], 'closed, reopened, closed, reopened, closed');
      assert.equal(issue!.status, 'Done');
    },
  },
];

describe('P3 tickets', () => {
  for (const provider of PROVIDERS) {
    it(`${provider.name}: a flapping alarm makes exactly one ticket, reopened and closed with it`, async () => {
      // GIVEN tickets in this tracker
      const h = await fresh({ config: { integrations: { ...DRILL_INTEGRATIONS, tickets: provider.tickets } } });
      // WHEN the alarm fires and clears three times: three incidents
      const incidents = await flap(h, 3);
      assert.equal(new Set(incidents).size, 3);
      // THEN one ticket
      assert.equal(provider.created(h), 1);
      provider.check(h, incidents);
      // and each incident's timeline says what happened to it
      const said = await Promise.all(
        incidents.map(async (id) =>
          (await h.deps.store.timeline(id))
            .filter((e) => e.type === 'integration')
            .map((e) => e.detail.replace(/ticket \S+ /, 'ticket # ').replace(/: https\S+$/, '')),
        ),
      );
      assert.deepEqual(said, [
        [`ticket # opened in ${provider.tickets!.provider}`, 'ticket # closed on resolution'],
        ['ticket # reopened (the alert fired again)', 'ticket # closed on resolution'],
        ['ticket # reopened (the alert fired again)', 'ticket # closed on resolution'],
      ]);
      // P3 opens no channel and no status-page incident
      assert.equal(h.fake.requestsTo('slack').length + h.fake.requestsTo('statuspage').length, 0);
    });
  }

  it('a Jira project without a done transition gets comments, and the open ticket keeps taking the flaps', async () => {
    const h = await fresh({
      config: { integrations: { ...DRILL_INTEGRATIONS, tickets: { ...JIRA, doneTransitionId: undefined, reopenTransitionId: undefined } } },
    });
    await flap(h, 2);
    const [issue, ...others] = h.fake.state.jira.issues;
    assert.equal(others.length, 0);
    assert.deepEqual(issue!.transitions, []);
    assert.deepEqual(
      issue!.comments.map((c) => c.text.split(/[ :]/)[0]),
      ['Resolved', 'Fired', 'Resolved'],
    );
  });
});

describe('P4 ticket backlog', () => {
  it('files one backlog ticket per P4 incident when the tracker takes P4 (the default), and a redelivery files nothing more', async () => {
    // GIVEN GitHub tickets with their default severities (P3 and P4)
    const h = await fresh();
    // WHEN a P4 alarm fires, and EventBridge delivers the same change again
    const at = new Date(Date.now() - 60_000);
    const { incidentId } = await h.alarm({ alertId: 'ModelRetrained', at });
    await h.alarm({ alertId: 'ModelRetrained', at });
    await until(async () => (await h.deps.store.timeline(incidentId!)).some((e) => e.type === 'ticket'), 'the backlog ticket request');
    await h.drain();
    // THEN one request in the timeline, one issue, marked as backlog, and nobody paged
    const timeline = await h.deps.store.timeline(incidentId!);
    assert.deepEqual(
      timeline.filter((e) => e.type === 'ticket').map((e) => e.detail),
      ['backlog ticket requested from github'],
    );
    const [issue, ...others] = h.fake.state.github.issues;
    assert.equal(others.length, 0);
    assert.match(issue!.title, /^\[P4\] ModelRetrained: /);
    assert.match(issue!.body!, /Backlog: informational \(P4\)/);
    assert.deepEqual(await h.inbox(), []);
  });

  it('files nothing, and records no failure, for a P4 incident without a tracker', async () => {
    // GIVEN no ticket integration
    const h = await fresh({ config: { integrations: { ...DRILL_INTEGRATIONS, tickets: undefined } } });
    // WHEN a P4 alarm fires
    const { incidentId } = await h.alarm({ alertId: 'ModelRetrained', at: new Date(Date.now() - 60_000) });
    // THEN the digest is its only path: no ticket request, no integration failure
    const types = (await h.deps.store.timeline(incidentId!)).map((e) => e.type);
    assert.deepEqual(
      types.filter((t) => t === 'ticket' || t === 'integration-failed'),
      [],
    );
    assert.ok(types.includes('skipped-step'));
  });
});
