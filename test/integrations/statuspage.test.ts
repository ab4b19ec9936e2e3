import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IntegrationsSchema, type StatusPageConfig } from '../../lib/core/config/integrations';
import { statusPageClient } from '../../lambdas/integrations/statuspage';
import { rejectsWithIntegrationError, useFakeEndpoints } from '../support/fake-endpoints';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:statuspage-AbCdEf';
const config: StatusPageConfig = IntegrationsSchema.parse({
  statusPage: { apiKeySecretArn: ARN, pageId: 'kctbh9vrtdwd', components: { default: '8kbf7d35c070' } },
}).statusPage!;
const OPENING = {
  name: 'Checkout errors',
  body: 'We are investigating errors at checkout.',
  componentId: '8kbf7d35c070',
  componentStatus: 'major_outage',
  status: 'investigating',
} as const;

const env = useFakeEndpoints();
const client = (key = env.fake.tokens.statuspage, attempts = 3) => statusPageClient(config, key, { policy: { attempts }, runtime: env.runtime });

describe('Statuspage client', () => {
  it('opens an incident on the component, notifying subscribers', async () => {
    // WHEN a P1 opens a status page incident
    const opened = await client().open(OPENING);
    // THEN the page's incidents got the incident with its component, with the OAuth key
    const [request] = env.fake.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/v1/pages/kctbh9vrtdwd/incidents');
    assert.equal(request!.headers.authorization, `OAuth ${env.fake.tokens.statuspage}`);
    assert.deepEqual(request!.body, {
      incident: {
        name: 'Checkout errors',
        status: 'investigating',
        body: 'We are investigating errors at checkout.',
        component_ids: ['8kbf7d35c070'],
        components: { '8kbf7d35c070': 'major_outage' },
        deliver_notifications: true,
      },
    });
    // AND the answer's id and shortlink are returned
    const kept = env.fake.state.statuspage.incidents[0]!;
    assert.deepEqual(opened, { id: kept.id, shortlink: kept.shortlink });
    assert.equal(request!.status, 201);
    assert.equal(kept.impact, 'critical');
    assert.deepEqual(env.fake.state.statuspage.components, { '8kbf7d35c070': 'major_outage' });
  });

  it('updates, then resolves the incident and turns the component operational', async () => {
    const statusPage = client();
    const { id } = await statusPage.open({ ...OPENING, componentStatus: 'degraded_performance' });
    // WHEN it is identified, then resolved
    await statusPage.update(id, {
      status: 'identified',
      body: 'A bad deploy; rolling back.',
      componentId: '8kbf7d35c070',
      componentStatus: 'degraded_performance',
    });
    await statusPage.update(id, { status: 'resolved', body: 'Fixed.', componentId: '8kbf7d35c070', componentStatus: 'operational' });
    // THEN each was a PATCH of that incident with the status, body and component
    const patches = env.fake.requests.slice(1);
    assert.deepEqual(
      patches.map((r) => [r.method, r.path, r.status]),
      [
        ['PATCH', `/v1/pages/kctbh9vrtdwd/incidents/${id}`, 200],
        ['PATCH', `/v1/pages/kctbh9vrtdwd/incidents/${id}`, 200],
      ],
    );
    assert.deepEqual(patches[1]!.body, {
      incident: { status: 'resolved', body: 'Fixed.', component_ids: ['8kbf7d35c070'], components: { '8kbf7d35c070': 'operational' } },
    });
    const kept = env.fake.state.statuspage.incidents[0]!;
    assert.equal(kept.status, 'resolved');
    assert.ok(kept.resolved_at);
    assert.deepEqual(
      kept.incident_updates.map((u) => u.status),
      ['resolved', 'identified', 'investigating'],
    );
    assert.deepEqual(env.fake.state.statuspage.components, { '8kbf7d35c070': 'operational' });
  });

  it('fails at once with 401 for another key, without the key', async () => {
    const wrong = 'not-the-statuspage-key-42';
    await rejectsWithIntegrationError(client(wrong).open(OPENING), {
      status: 401,
      message: 'statuspage: HTTP 401: Could not authenticate after 1 attempt',
      without: [wrong],
    });
    assert.equal(env.fake.requests.length, 1);
    assert.equal(env.fake.state.statuspage.incidents.length, 0);
  });

  it('fails at once with 404 for an unknown incident', async () => {
    await rejectsWithIntegrationError(
      client().update('nosuchincident', { status: 'resolved', body: 'x', componentId: '8kbf7d35c070', componentStatus: 'operational' }),
      { status: 404, attempts: 1 },
    );
    assert.equal(env.fake.requests.length, 1);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    env.fake.fail('statuspage', { status: 429, times: 1, retryAfter: '5' });
    await client().open(OPENING);
    assert.deepEqual(env.runtime.slept, [5000]);
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [429, 201],
    );
    assert.equal(env.fake.state.statuspage.incidents.length, 1);
  });

  it("retries Statuspage's historical 420 rate limiting like a 429", async () => {
    env.fake.fail('statuspage', { status: 420, times: 1, retryAfter: '1' });
    await client().open(OPENING);
    assert.deepEqual(env.runtime.slept, [1000]);
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [420, 201],
    );
  });

  it('retries 5xx up to the attempts, then fails with the status, without the key', async () => {
    env.fake.fail('statuspage', { status: 500 });
    await rejectsWithIntegrationError(client(env.fake.tokens.statuspage, 2).open(OPENING), { status: 500, attempts: 2, without: [env.fake.tokens.statuspage] });
    assert.equal(env.fake.requests.length, 2);
  });

  it('gives up when the Retry-After is past the budget', async () => {
    env.fake.fail('statuspage', { status: 429, retryAfter: '60' });
    const statusPage = statusPageClient(config, env.fake.tokens.statuspage, { policy: { attempts: 3, budgetMs: 15_000 }, runtime: env.runtime });
    await assert.rejects(statusPage.open(OPENING), /giving up: the next try would exceed the time budget/);
    assert.deepEqual(env.runtime.slept, []);
  });
});
