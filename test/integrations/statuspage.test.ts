import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { IntegrationsSchema, type StatusPageConfig } from '../../lib/config/integrations';
import { IntegrationError } from '../../lambdas/integrations/http';
import { statusPageClient } from '../../lambdas/integrations/statuspage';
import { startFakeEndpoints, type FakeEndpoints, type FakeRuntime } from '../support/fake-endpoints';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:statuspage-AbCdEf';
const config: StatusPageConfig = IntegrationsSchema.parse({ statusPage: { apiKeySecretArn: ARN, pageId: 'kctbh9vrtdwd', components: { default: '8kbf7d35c070' } } }).statusPage!;
const OPENING = { name: 'Checkout errors', body: 'We are investigating errors at checkout.', componentId: '8kbf7d35c070', componentStatus: 'major_outage', status: 'investigating' } as const;

let fake: FakeEndpoints;
let rt: FakeRuntime;
before(async () => {
  fake = await startFakeEndpoints();
});
after(() => fake.stop());
beforeEach(() => {
  fake.clear();
  rt = fake.runtime();
});
const client = (key = fake.tokens.statuspage, attempts = 3) => statusPageClient(config, key, { policy: { attempts }, runtime: rt });

function assertNoSecret(error: unknown, secret: string): void {
  const text = `${String(error)} ${(error as Error).stack} ${JSON.stringify(error)}`;
  assert.ok(!text.includes(secret), `secret leaked: ${text}`);
}

describe('Statuspage client', () => {
  it('opens an incident on the component, notifying subscribers', async () => {
    // WHEN a P1 opens a status page incident
    const opened = await client().open(OPENING);
    // THEN the page's incidents got the incident with its component, with the OAuth key
    const [request] = fake.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/v1/pages/kctbh9vrtdwd/incidents');
    assert.equal(request!.headers.authorization, `OAuth ${fake.tokens.statuspage}`);
    assert.deepEqual(request!.body, {
      incident: { name: 'Checkout errors', status: 'investigating', body: 'We are investigating errors at checkout.', component_ids: ['8kbf7d35c070'], components: { '8kbf7d35c070': 'major_outage' }, deliver_notifications: true },
    });
    // AND the answer's id and shortlink are returned
    const kept = fake.state.statuspage.incidents[0]!;
    assert.deepEqual(opened, { id: kept.id, shortlink: kept.shortlink });
    assert.equal(request!.status, 201);
    assert.equal(kept.impact, 'critical');
    assert.deepEqual(fake.state.statuspage.components, { '8kbf7d35c070': 'major_outage' });
  });

  it('updates, then resolves the incident and turns the component operational', async () => {
    const statusPage = client();
    const { id } = await statusPage.open({ ...OPENING, componentStatus: 'degraded_performance' });
    // WHEN it is identified, then resolved
    await statusPage.update(id, { status: 'identified', body: 'A bad deploy; rolling back.', componentId: '8kbf7d35c070', componentStatus: 'degraded_performance' });
    await statusPage.update(id, { status: 'resolved', body: 'Fixed.', componentId: '8kbf7d35c070', componentStatus: 'operational' });
    // THEN each was a PATCH of that incident with the status, body and component
    const patches = fake.requests.slice(1);
    assert.deepEqual(patches.map((r) => [r.method, r.path, r.status]), [
      ['PATCH', `/v1/pages/kctbh9vrtdwd/incidents/${id}`, 200],
      ['PATCH', `/v1/pages/kctbh9vrtdwd/incidents/${id}`, 200],
    ]);
    assert.deepEqual(patches[1]!.body, { incident: { status: 'resolved', body: 'Fixed.', component_ids: ['8kbf7d35c070'], components: { '8kbf7d35c070': 'operational' } } });
    const kept = fake.state.statuspage.incidents[0]!;
    assert.equal(kept.status, 'resolved');
    assert.ok(kept.resolved_at);
    assert.deepEqual(kept.incident_updates.map((u) => u.status), ['resolved', 'identified', 'investigating']);
    assert.deepEqual(fake.state.statuspage.components, { '8kbf7d35c070': 'operational' });
  });

  it('fails at once with 401 for another key, without the key', async () => {
    const wrong = 'not-the-statuspage-key-42';
    await assert.rejects(client(wrong).open(OPENING), (error: unknown) => {
      assert.ok(error instanceof IntegrationError);
      assert.equal(error.status, 401);
      assert.equal(error.message, 'statuspage: HTTP 401: Could not authenticate after 1 attempt');
      assertNoSecret(error, wrong);
      return true;
    });
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.state.statuspage.incidents.length, 0);
  });

  it('fails at once with 404 for an unknown incident', async () => {
    await assert.rejects(client().update('nosuchincident', { status: 'resolved', body: 'x', componentId: '8kbf7d35c070', componentStatus: 'operational' }), (error: unknown) => {
      assert.ok(error instanceof IntegrationError);
      assert.equal(error.status, 404);
      assert.equal(error.attempts, 1);
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    fake.fail('statuspage', { status: 429, times: 1, retryAfter: '5' });
    await client().open(OPENING);
    assert.deepEqual(rt.slept, [5000]);
    assert.deepEqual(fake.requests.map((r) => r.status), [429, 201]);
    assert.equal(fake.state.statuspage.incidents.length, 1);
  });

  it("retries Statuspage's historical 420 rate limiting like a 429", async () => {
    fake.fail('statuspage', { status: 420, times: 1, retryAfter: '1' });
    await client().open(OPENING);
    assert.deepEqual(rt.slept, [1000]);
    assert.deepEqual(fake.requests.map((r) => r.status), [420, 201]);
  });

  it('retries 5xx up to the attempts, then fails with the status, without the key', async () => {
    fake.fail('statuspage', { status: 500 });
    await assert.rejects(client(fake.tokens.statuspage, 2).open(OPENING), (error: unknown) => {
      assert.ok(error instanceof IntegrationError);
      assert.equal(error.status, 500);
      assert.equal(error.attempts, 2);
      assertNoSecret(error, fake.tokens.statuspage);
      return true;
    });
    assert.equal(fake.requests.length, 2);
  });

  it('gives up when the Retry-After is past the budget', async () => {
    fake.fail('statuspage', { status: 429, retryAfter: '60' });
    const statusPage = statusPageClient(config, fake.tokens.statuspage, { policy: { attempts: 3, budgetMs: 15_000 }, runtime: rt });
    await assert.rejects(statusPage.open(OPENING), /giving up: the next try would exceed the time budget/);
    assert.deepEqual(rt.slept, []);
  });
});
