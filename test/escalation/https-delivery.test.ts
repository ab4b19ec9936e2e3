import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetSubscriptionAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { acknowledgeIncident } from '../../lambdas/escalation/incident-lifecycle';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { useEscalation } from '../support/escalation';
import { config } from '../support/config';

/**
 * What an HTTPS subscriber of a role topic really receives, against SNS's documented HTTP(S) delivery
 * (docs.aws.amazon.com/sns/latest/dg/http-notification-json.html and http-subscription-confirmation-json.html):
 * every message is a POST whose body is SNS's JSON envelope, the page being the `Message` string.
 *
 * moto delivers to http (not https) endpoints for real, with the documented Notification envelope. Where it
 * differs from AWS, encoded below: it confirms the subscription at once (AWS first POSTs a SubscriptionConfirmation
 * and delivers nothing until its SubscribeURL is visited), and it sends no x-amz-sns-* headers.
 */
const { fresh } = useEscalation();

/** The fields AWS documents for a Notification (Subject only when the publish had one). */
const NOTIFICATION_FIELDS = [
  'Message',
  'MessageId',
  'Signature',
  'SignatureVersion',
  'SigningCertURL',
  'Subject',
  'Timestamp',
  'TopicArn',
  'Type',
  'UnsubscribeURL',
];

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let server: Server;
const received: Received[] = [];
before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('an HTTP(S) subscriber of a role topic', () => {
  it("receives each page in SNS's JSON envelope: the page is the Message string, not the body", async () => {
    // GIVEN a loopback endpoint subscribed to the on-call primary's topic, as `subscriptions` would
    const h = await fresh();
    received.length = 0;
    const topicArn = h.deps.roleTopicArn('on-call-primary');
    const { SubscriptionArn } = await h.clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'http',
        Endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sns`,
        ReturnSubscriptionArn: true,
      }),
    );
    const attributes = (await h.clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    // raw delivery is off (the stack never turns it on), so AWS wraps every message
    assert.equal(attributes.RawMessageDelivery, 'false');
    // moto differs: it confirms at once and sends no SubscriptionConfirmation (AWS does, and waits for it)
    assert.equal(attributes.PendingConfirmation, 'false');
    // WHEN a P1 pages the on-call primary, and is then acknowledged
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop' }));
    const id = (opened as { incidentId: string }).incidentId;
    const trigger = await until('the page', () => received[0]);
    // (the ack notifies the roles the step recorded as paged: once the step has returned)
    await h.stepRan(0, id);
    await acknowledgeIncident(h.deps, id, 'alice');
    const ack = await until('the acknowledgement', () => received[1]);
    // THEN nothing but notifications arrived (no confirmation: moto)
    const envelopes = [trigger, ack].map((r) => JSON.parse(r.body) as Record<string, string>);
    assert.deepEqual(
      envelopes.map((e) => e.Type),
      ['Notification', 'Notification'],
    );
    for (const [i, envelope] of envelopes.entries()) {
      // AND each body is the documented envelope, sent as text/plain
      assert.deepEqual(Object.keys(envelope).sort(), NOTIFICATION_FIELDS);
      assert.match([trigger, ack][i]!.headers['content-type'] ?? '', /^text\/plain; charset=UTF-8$/i);
      assert.equal(envelope.TopicArn, topicArn);
      assert.match(envelope.MessageId!, /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(envelope.Timestamp!)));
      assert.match(envelope.SignatureVersion!, /^[12]$/);
      assert.match(envelope.SigningCertURL!, /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com\/SimpleNotificationService-.+\.pem$/);
      assert.match(envelope.UnsubscribeURL!, /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com\/\?Action=Unsubscribe&SubscriptionArn=/);
      // AND is not a PagerDuty Events v2 body: no routing_key, no event_action at the top
      assert.equal((envelope as Record<string, unknown>).event_action, undefined);
    }
    // AND the page is inside, as a JSON string: trigger then acknowledge, one dedup key
    const pages = envelopes.map(
      (e) => JSON.parse(e.Message!) as { event_action: string; dedup_key: string; payload?: { severity: string }; links?: { text: string; href: string }[] },
    );
    assert.deepEqual(
      pages.map((p) => p.event_action),
      ['trigger', 'acknowledge'],
    );
    assert.deepEqual(
      pages.map((p) => p.dedup_key),
      [id, id],
    );
    assert.equal(pages[0]!.payload!.severity, 'critical');
    assert.ok(pages[0]!.links!.some((l) => l.text === 'Acknowledge' && l.href.startsWith('https://links.example.invalid/')));
    assert.match(envelopes[0]!.Subject!, /^\[P1\] ModelAccuracyDrop/);
  });

  it("an https endpoint other than PagerDuty is accepted; PagerDuty's Events API is refused (it cannot read the envelope)", () => {
    assert.doesNotThrow(() => config({ subscriptions: { 'on-call-primary': [{ https: 'https://hooks.example.com/sns' }] } }));
    assert.throws(() => config({ subscriptions: { 'on-call-primary': [{ https: 'https://events.pagerduty.com/v2/enqueue' }] } }), /integrations\.pagerDuty/);
  });
});
