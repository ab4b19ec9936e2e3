import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { acknowledgeIncident } from '../../lambdas/escalation/incident-lifecycle';
import { page } from '../../lambdas/escalation/notify';
import { DRILL_INTEGRATIONS } from '../../tools/drill/collaboration-world';
import { story, until, useCollaboration, type CollaborationHarness } from '../support/collaboration';

const { fresh } = useCollaboration();

/** Indexes of `steps` in `log`, each after the previous one: throws naming the first step missing in order. */
function inOrder(log: readonly string[], steps: readonly string[]): number[] {
  let from = 0;
  return steps.map((step) => {
    const at = log.indexOf(step, from);
    assert.ok(at >= 0, `"${step}" missing after position ${from} in:\n  ${log.join('\n  ')}`);
    from = at + 1;
    return at;
  });
}

async function firePage(h: CollaborationHarness): Promise<string> {
  const { incidentId } = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
  await until(async () => (await h.deps.store.timeline(incidentId!)).some((e) => e.type === 'page'), 'the first page');
  return incidentId!;
}

describe('a P1 drill through every integration', () => {
  it('opens the channel, invites, posts the page and the actions, then opens the status page; the resolution resolves it', async () => {
    // GIVEN every integration configured, automation enabled, a deployment to roll back
    const h = await fresh();
    const today = new Date().toISOString().slice(0, 10);
    // WHEN HighAPIErrorRate fires: on-call is paged and the responder rolls back; later the alarm clears
    const incidentId = await firePage(h);
    await h.drain();
    await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM' });
    await h.drain();
    await h.drain(); // the integrations' own timeline events reach the channel too
    // THEN the story, in order
    const log = h.fake.requests.map(story);
    inOrder(log, [
      'slack conversations.create',
      'slack conversations.invite',
      'slack post page',
      'slack post action',
      'statuspage open identified',
      'slack post resolution',
      'statuspage update resolved',
    ]);
    inOrder(log, ['pagerduty trigger', 'pagerduty resolve']);
    assert.equal(log.filter((s) => s === 'statuspage open identified').length, 1, 'one status-page incident');

    // the channel: today's name, the configured people, every post in it
    const [channel] = h.fake.state.slack.channels;
    assert.equal(channel!.name, `incident-${today}`);
    assert.deepEqual(channel!.members.slice(1), ['U0ONCALL1', 'U0ONCALL2']);
    const posts = channel!.messages.map((m) => m.text);
    const page = posts.find((p) => p.includes('Paged '))!;
    assert.match(page, /\[P1\] HighAPIErrorRate \(chatbot-api\)/);
    assert.match(page, /Recent changes \(last 30 min\)/, 'the page carries the recent changes');
    assert.match(page, new RegExp(`npx oncall ack ${incidentId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.doesNotMatch(page, /token=/, 'no single-use ack link in a shared channel');
    const action = posts.find((p) => /automation did ecs-rollback/.test(p))!;
    assert.match(action, /Revert:\s+npx oncall revert [0-9a-f]{16}/, 'the action post carries its revert command');
    assert.match(action, /Evidence:/);
    assert.ok(posts.some((p) => /\*Resolved\* by alarm OK/.test(p) && /npx oncall review/.test(p)));

    // the status page: the service's component, a major outage, then operational
    assert.equal(h.fake.state.statuspage.incidents.length, 1);
    assert.deepEqual(h.fake.state.statuspage.components, { '8kbf7d35c070': 'operational' });
    const opening = h.fake.requestsTo('statuspage')[0]!;
    assert.equal(opening.path, '/v1/pages/kctbh9vrtdwd/incidents');
    assert.deepEqual((opening.body as { incident: { components: unknown } }).incident.components, { '8kbf7d35c070': 'major_outage' });
    const resolution = h.fake.requestsTo('statuspage').at(-1)!;
    assert.equal(resolution.method, 'PATCH');
    assert.deepEqual((resolution.body as { incident: { components: unknown } }).incident.components, { '8kbf7d35c070': 'operational' });

    // PagerDuty: one alert for the incident, triggered then resolved
    const events = h.fake.requestsTo('pagerduty').map((r) => r.body as { event_action: string; dedup_key: string });
    assert.deepEqual([...new Set(events.map((e) => e.dedup_key))], [incidentId]);

    // the timeline says what each integration did
    const timeline = await h.deps.store.timeline(incidentId);
    assert.ok(timeline.some((e) => e.type === 'integration' && e.detail === `Slack channel #incident-${today} opened; invited U0ONCALL1, U0ONCALL2`));
    assert.ok(timeline.some((e) => e.type === 'integration' && /^status page incident opened \(identified\)/.test(e.detail)));
    assert.ok(!timeline.some((e) => e.type === 'integration-failed'), 'nothing failed');
  });

  it('delivered twice (the stream is at least once), nothing is posted twice', async () => {
    // GIVEN a drill whose records were all handled
    const h = await fresh();
    await firePage(h);
    while ((await h.drain()) > 0); // the integrations' own events, too
    const before = h.fake.requests.length;
    // WHEN the same records arrive again (a retried batch)
    await h.redeliver();
    // THEN
    assert.deepEqual(h.fake.requests.slice(before).map(story), []);
  });

  it('an integration answering 500 for the whole incident delays neither the page nor the mitigation, and the failure is in the timeline', async () => {
    // GIVEN Slack down for good
    const h = await fresh();
    h.fake.fail('slack', { status: 500 });
    // WHEN the incident runs its course
    const incidentId = await firePage(h);
    // THEN paging and mitigation are done before any integration is called: they never wait on one
    assert.equal(h.fake.requests.length, 0, 'no integration called from the paging or mitigation path');
    assert.ok(
      (await h.inbox()).some((p) => p.role === 'on-call-primary'),
      'on-call was paged',
    );
    const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
    assert.equal(services![0]!.taskDefinition!.split('/').pop(), 'chatbot-api:1', 'rolled back');
    await h.drain();
    await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM' });
    await h.drain();
    // and on the collaboration function's clock, Slack cost one retry budget
    const budget = h.config.integrations.http.budgetMs;
    const slackCalls = h.fake.requestsTo('slack');
    assert.deepEqual(
      slackCalls.map((r) => r.path),
      Array(h.config.integrations.http.attempts).fill('/api/conversations.create'),
      'one call, all its attempts; nothing else waits on a channel that does not exist',
    );
    assert.ok(h.collaboration.runtime.slept.reduce((a, b) => a + b, 0) <= budget);
    // the other integrations went on
    assert.ok(h.fake.requests.map(story).includes('statuspage open identified'));
    assert.ok(h.fake.requests.map(story).includes('statuspage update resolved'));
    const failures = (await h.deps.store.timeline(incidentId)).filter((e) => e.type === 'integration-failed');
    assert.ok(failures.length > 0);
    assert.ok(failures.every((e) => e.data?.integration === 'slack'));
    assert.match(failures[0]!.detail, /^slack: conversations\.create: HTTP 500: internal_error after 3 attempts$/);
    // and the log line the dashboard's integration-failures widget filters on
    assert.ok(
      h.collaborationLogs.some(
        (l) => l.level === 'warn' && /^integration failed/.test(l.message) && l.extra?.integration === 'slack' && l.extra.incidentId === incidentId,
      ),
    );
  });

  it('an integration that starts failing mid-incident costs one retry budget per batch: the breaker skips its later calls', async () => {
    // GIVEN a channel opened while Slack was up
    const h = await fresh();
    const incidentId = await firePage(h);
    while ((await h.drain()) > 0);
    const before = h.fake.requestsTo('slack').length;
    // WHEN Slack goes down and three things happen in one batch
    h.fake.fail('slack', { status: 503 });
    await acknowledgeIncident(h.deps, incidentId, 'alice');
    await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM' });
    await h.drain();
    // THEN one post was tried (all its attempts), the others failed at once and say so
    assert.equal(h.fake.requestsTo('slack').length - before, h.config.integrations.http.attempts);
    const failures = (await h.deps.store.timeline(incidentId)).filter((e) => e.type === 'integration-failed').map((e) => e.detail);
    assert.match(failures[0]!, /^slack: chat\.postMessage: HTTP 503: service_unavailable after 3 attempts$/);
    assert.ok(
      failures.slice(1).every((d) => /not called: failed earlier in this batch/.test(d)),
      failures.join('\n'),
    );
    assert.ok(failures.length >= 2);
    // the status page still resolved
    assert.ok(h.fake.requests.map(story).includes('statuspage update resolved'));
  });

  it('a channel that could not be opened is opened by the next page, without waiting for the failed claim to expire', async () => {
    // GIVEN Slack failing every attempt of the first page's channel
    const h = await fresh();
    h.fake.fail('slack', { status: 500, times: h.config.integrations.http.attempts });
    const incidentId = await firePage(h);
    await h.drain();
    assert.equal(h.fake.state.slack.channels.length, 0);
    // WHEN the escalation pages again (Slack is back)
    await page(h.deps, (await h.deps.store.get(incidentId))!, ['senior-engineer'], 'p1-api-errors: step 2 (still unresolved)');
    await h.drain();
    // THEN the channel opens with that page
    const [channel] = h.fake.state.slack.channels;
    assert.ok(channel, 'channel opened');
    assert.ok(channel.messages.some((m) => m.text.includes('*Paged senior-engineer*')));
  });

  it('a customer-facing P2 opens a channel when P2 is configured, and marks its component degraded, not down', async () => {
    // GIVEN Slack channels for P1 and P2
    const h = await fresh({
      config: { integrations: { ...DRILL_INTEGRATIONS, slack: { ...DRILL_INTEGRATIONS.slack, severities: ['P1', 'P2'] } } },
    });
    // WHEN HighAPILatency (P2) fires, pages, and on-call acknowledges
    const { incidentId } = await h.alarm({ alertId: 'HighAPILatency', instance: 'chatbot-api' });
    await until(async () => (await h.deps.store.timeline(incidentId!)).some((e) => e.type === 'page'), 'the first page');
    await acknowledgeIncident(h.deps, incidentId!, 'alice');
    while ((await h.drain()) > 0);
    // THEN
    assert.equal(h.fake.state.slack.channels.length, 1);
    assert.ok(h.fake.state.slack.channels[0]!.messages.some((m) => m.text.includes('[P2] HighAPILatency (chatbot-api)')));
    const opening = h.fake.requestsTo('statuspage')[0]!.body as { incident: { name: string; components: unknown } };
    assert.equal(opening.incident.name, 'Degraded performance: chatbot-api');
    assert.deepEqual(opening.incident.components, { '8kbf7d35c070': 'degraded_performance' });
  });
});
