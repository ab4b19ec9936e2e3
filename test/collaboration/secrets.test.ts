import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DRILL_INTEGRATIONS } from '../../tools/drill/collaboration-world';
import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { until, useCollaboration, type CollaborationHarness } from '../support/collaboration';

const { fresh } = useCollaboration();

const JIRA = {
  provider: 'jira',
  credentialsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:alerting/jira-credentials',
  baseUrl: 'https://acme.atlassian.net',
  projectKey: 'OPS',
} as const;

/** A P1 and a P3, each fired, handled and cleared. */
async function incidents(h: CollaborationHarness): Promise<string[]> {
  const ids: string[] = [];
  for (const [alertId, waitFor] of [
    ['HighAPIErrorRate', 'page'],
    ['HighCPUUtilization', 'ticket'],
  ] as const) {
    const { incidentId } = await h.alarm({ alertId, instance: 'chatbot-api' });
    await until(async () => (await h.deps.store.timeline(incidentId!)).some((e) => e.type === waitFor), waitFor);
    await h.drain();
    await h.alarm({ alertId, instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM' });
    while ((await h.drain()) > 0);
    ids.push(incidentId!);
  }
  return ids;
}

describe('secrets of the integrations', () => {
  it('appear in no log, timeline, audit record, page, post or error message, even when every integration fails', async () => {
    // GIVEN Slack working, the others refusing or failing in every way they can
    const h = await fresh({ config: { integrations: { ...DRILL_INTEGRATIONS, tickets: JIRA } } });
    h.fake.fail('statuspage', { status: 401 });
    h.fake.fail('jira', { status: 500 });
    h.fake.fail('pagerduty', { status: 400 });
    // WHEN a P1 and a P3 run their course
    const ids = await incidents(h);
    // THEN the failures were recorded (so there were error messages to leak into)...
    const failures = (await Promise.all(ids.map((id) => h.deps.store.timeline(id)))).flat().filter((e) => e.type === 'integration-failed');
    assert.deepEqual([...new Set(failures.map((e) => e.data?.integration))].sort(), ['pagerduty', 'statuspage', 'tickets']);
    // ...and no secret is anywhere a person or a log shipper reads
    const everything = JSON.stringify({
      escalationAndResponderLogs: h.logs,
      collaborationLogs: h.collaborationLogs,
      table: await h.table(),
      pages: await h.inbox(),
      posts: h.fake.state.slack.channels.flatMap((c) => c.messages.map((m) => m.text)),
      failures: failures.map((e) => e.detail),
    });
    const secrets = { ...h.fake.tokens, jiraBasic: Buffer.from(h.fake.tokens.jira).toString('base64'), jiraToken: h.fake.tokens.jira.split(':')[1]! };
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!everything.includes(secret), `the ${name} secret leaked`);
    assert.ok(everything.length > 10_000, 'the haystack is real');
  });

  it('a secret that cannot be read fails only its integration, naming the secret, not its value', async () => {
    // GIVEN PagerDuty's secret missing from Secrets Manager
    const routingKeySecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:alerting/no-such-secret';
    const h = await fresh({ config: { integrations: { ...DRILL_INTEGRATIONS, pagerDuty: { routingKeySecretArn } } } });
    await new SecretsManagerClient(h.moto.clientConfig).send(new DeleteSecretCommand({ SecretId: routingKeySecretArn, ForceDeleteWithoutRecovery: true }));
    // WHEN
    const [p1] = await incidents(h);
    // THEN
    const failures = (await h.deps.store.timeline(p1!)).filter((e) => e.type === 'integration-failed');
    assert.ok(failures.length > 0);
    assert.match(failures[0]!.detail, /^pagerduty: its secret alerting\/no-such-secret could not be read \(ResourceNotFoundException\)/);
    assert.equal(h.fake.requestsTo('pagerduty').length, 0);
    assert.ok(h.fake.requestsTo('slack').length > 0 && h.fake.requestsTo('statuspage').length > 0, 'the others went on');
  });

  it('a secret given by name is read by that name, even one ending in "-" and six characters', async () => {
    // GIVEN PagerDuty's routing key stored as alerting/pagerduty-abcdef and named so in the config
    const h = await fresh({
      config: { integrations: { ...DRILL_INTEGRATIONS, pagerDuty: { routingKeySecretArn: { name: 'alerting/pagerduty-abcdef' } } } },
    });
    // WHEN a P1 runs its course
    const [p1] = await incidents(h);
    // THEN PagerDuty was told, with the key from that secret, and nothing failed
    const failures = (await h.deps.store.timeline(p1!)).filter((e) => e.type === 'integration-failed');
    assert.deepEqual(
      failures.map((e) => e.detail),
      [],
    );
    const bodies = h.fake.requestsTo('pagerduty').map((r) => r.body as { routing_key: string });
    assert.ok(bodies.length > 0);
    assert.ok(bodies.every((b) => b.routing_key === h.fake.tokens.pagerduty));
  });
});
