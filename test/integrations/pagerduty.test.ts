import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IntegrationsSchema, type PagerDutyConfig } from '../../lib/core/config/integrations';
import { pagerDutyEvent } from '../../lambdas/escalation/page-message';
import { pagerDutyClient } from '../../lambdas/integrations/pagerduty';
import type { Incident } from '../../lambdas/shared/storage/incident';
import { rejectsWithIntegrationError, useFakeEndpoints } from '../support/fake-endpoints';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pagerduty-AbCdEf';
const config = (extra: Record<string, unknown> = {}): PagerDutyConfig =>
  IntegrationsSchema.parse({ pagerDuty: { routingKeySecretArn: ARN, ...extra } }).pagerDuty!;
const INCIDENT: Incident = {
  incidentId: 'inc-2026-11-27-0001',
  alarmName: 'prod-api-5xx-rate',
  alertId: 'api-5xx-rate',
  service: 'api',
  severity: 'P1',
  policyId: 'default-p1',
  summary: '5xx above 5% for 5 minutes',
  runbookUrl: 'https://runbooks.example.com/api-5xx-rate',
  customerFacing: true,
  status: 'open',
  openedAt: '2026-11-27T10:00:00.000Z',
  triggers: ['t1'],
  openAlarms: ['prod-api-5xx-rate'],
};

const env = useFakeEndpoints();
const client = (key = env.fake.tokens.pagerduty, c = config(), attempts = 3) => pagerDutyClient(c, key, { policy: { attempts }, runtime: env.runtime });

describe('PagerDuty client', () => {
  it('enqueues a trigger, an acknowledge and a resolve with the routing key', async () => {
    // GIVEN the events page-message builds for an incident
    const trigger = pagerDutyEvent('trigger', INCIDENT, { why: 'step 1' }, [{ href: 'https://console.example.com', text: 'Console' }]);
    const pagerDuty = client();
    // WHEN it is triggered
    await pagerDuty.send(trigger);
    // THEN the Events API got the event with the routing key
    const [request] = env.fake.requests;
    assert.deepEqual([request!.method, request!.host, request!.path, request!.status], ['POST', 'events.pagerduty.com', '/v2/enqueue', 202]);
    assert.match(request!.headers['content-type']!, /^application\/json/);
    assert.deepEqual(request!.body, { ...trigger, routing_key: env.fake.tokens.pagerduty });
    assert.deepEqual(env.fake.state.pagerduty.alerts, { [INCIDENT.incidentId]: 'triggered' });
    // AND acknowledge and resolve move the same alert
    await pagerDuty.send(pagerDutyEvent('acknowledge', INCIDENT));
    assert.deepEqual(env.fake.state.pagerduty.alerts, { [INCIDENT.incidentId]: 'acknowledged' });
    await pagerDuty.send(pagerDutyEvent('resolve', INCIDENT));
    assert.deepEqual(env.fake.state.pagerduty.alerts, { [INCIDENT.incidentId]: 'resolved' });
    assert.deepEqual(env.fake.requests[2]!.body, { event_action: 'resolve', dedup_key: INCIDENT.incidentId, routing_key: env.fake.tokens.pagerduty });
  });

  it('sends to the configured (EU) events URL', async () => {
    await client(env.fake.tokens.pagerduty, config({ eventsUrl: 'https://events.eu.pagerduty.com/v2/enqueue' })).send(pagerDutyEvent('trigger', INCIDENT));
    assert.equal(env.fake.requests[0]!.host, 'events.eu.pagerduty.com');
    assert.equal(env.fake.requests[0]!.status, 202);
  });

  it('keeps the configured routing key even when the event carries one', async () => {
    await client().send({ ...pagerDutyEvent('trigger', INCIDENT), routing_key: 'someone-elses-key-0000000000000x' });
    assert.equal((env.fake.requests[0]!.body as { routing_key: string }).routing_key, env.fake.tokens.pagerduty);
  });

  it('fails at once on an invalid event (a routing key of the wrong length), without the key', async () => {
    const wrong = 'short-routing-key';
    await rejectsWithIntegrationError(client(wrong).send(pagerDutyEvent('trigger', INCIDENT)), {
      status: 400,
      message: 'pagerduty: HTTP 400: Event object is invalid after 1 attempt',
      without: [wrong],
    });
    assert.equal(env.fake.requests.length, 1);
    assert.deepEqual(env.fake.state.pagerduty.events, []);
  });

  it('fails at once on a resolve without dedup_key', async () => {
    await rejectsWithIntegrationError(client().send({ event_action: 'resolve' }), { status: 400, without: [env.fake.tokens.pagerduty] });
    assert.equal(env.fake.requests.length, 1);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    env.fake.fail('pagerduty', { status: 429, times: 1, retryAfter: '4' });
    await client().send(pagerDutyEvent('trigger', INCIDENT));
    assert.deepEqual(env.runtime.slept, [4000]);
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [429, 202],
    );
  });

  it('backs off on a 429 without Retry-After (PagerDuty sends none), then succeeds', async () => {
    env.fake.fail('pagerduty', { status: 429, times: 2 });
    await pagerDutyClient(config(), env.fake.tokens.pagerduty, { policy: { attempts: 3, baseDelayMs: 100 }, runtime: env.runtime }).send(
      pagerDutyEvent('trigger', INCIDENT),
    );
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [429, 429, 202],
    );
    assert.equal(env.runtime.slept.length, 2);
    assert.ok(env.runtime.slept[0]! <= 100 && env.runtime.slept[1]! <= 200, JSON.stringify(env.runtime.slept));
  });

  it('retries 5xx up to the attempts, then fails with the status, without the key', async () => {
    env.fake.fail('pagerduty', { status: 502 });
    await rejectsWithIntegrationError(client(env.fake.tokens.pagerduty, config(), 4).send(pagerDutyEvent('trigger', INCIDENT)), {
      status: 502,
      attempts: 4,
      without: [env.fake.tokens.pagerduty],
    });
    assert.equal(env.fake.requests.length, 4);
    assert.deepEqual(env.fake.state.pagerduty.events, []);
  });
});
