import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { handleLink } from '../../lambdas/escalation/endpoint';
import { SMS_MAX_BYTES, pageText, smsText } from '../../lambdas/escalation/page-message';
import type { Incident } from '../../lambdas/shared/storage/incident';
import { ALERTS } from '../../lib/core/catalog';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { useEscalation, type EscalationHarness } from '../support/escalation';

const { fresh } = useEscalation();

/** SMS's GSM-7 basic character set (3GPP TS 23.038), without the escape (extension) table. */
const GSM7_BASIC = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
]);

/** The longest function URL AWS gives: a 32-character id, a 14-character region. */
const LONG_BASE = 'https://abcdefghijklmnopqrstuvwxyz234567.lambda-url.ap-southeast-2.on.aws';

/** A function URL request as Lambda passes it. */
function request(method: 'GET' | 'POST', url: string) {
  return {
    rawPath: new URL(url).pathname,
    rawQueryString: '',
    body: method === 'POST' ? '' : undefined,
    isBase64Encoded: false,
    requestContext: { http: { method, sourceIp: '203.0.113.9' } },
  };
}

/** Records what the escalation publishes, as SNS receives it. */
function recordPublishes(h: EscalationHarness): PublishCommandInput[] {
  const published: PublishCommandInput[] = [];
  const send = h.clients.sns.send.bind(h.clients.sns) as (command: unknown) => Promise<unknown>;
  (h.clients.sns as unknown as { send: (command: { input: unknown; constructor: { name: string } }) => Promise<unknown> }).send = (command) => {
    if (command.constructor.name === 'PublishCommand') published.push(command.input as PublishCommandInput);
    return send(command);
  };
  return published;
}

describe('the SMS form of a page', () => {
  it(`fits one SMS part (${SMS_MAX_BYTES} bytes, GSM-7 basic characters only) for every alert, the longest service name and the longest function URL`, () => {
    // GIVEN every alert of the catalog, with and without the longest service name the config accepts
    const token = 'AbCdEfGhIjKlMn-_';
    for (const alert of ALERTS) {
      for (const service of [undefined, 'a'.repeat(40)]) {
        const incident = {
          incidentId: `chatbot-${alert.id}@2026-12-03T08:00:00.000Z`,
          alarmName: `chatbot-${alert.id}`,
          alertId: alert.id,
          service,
          severity: alert.severity,
          policyId: 'p',
          summary: `${alert.summary} [with {extension} chars | ~ and ü, 🔥]`,
          runbookUrl: 'https://r',
          customerFacing: true,
          status: 'open',
          openedAt: '2026-12-03T08:00:00.000Z',
          triggers: [],
          openAlarms: [],
        } as unknown as Incident;
        // WHEN its page is written
        const { sms } = pageText({
          incident,
          why: 'w',
          roles: ['on-call-primary'],
          actions: [],
          ackUrl: `${LONG_BASE}/ack?x=${'y'.repeat(400)}`,
          resolveUrl: 'https://r',
          smsAckUrl: `${LONG_BASE}/s/${token}`,
        });
        // THEN one part, in GSM-7, ending with the whole short link
        assert.ok(Buffer.byteLength(sms, 'utf8') <= SMS_MAX_BYTES, `${alert.id}: ${Buffer.byteLength(sms, 'utf8')} bytes: ${sms}`);
        assert.deepEqual(
          [...sms].filter((c) => !GSM7_BASIC.has(c)),
          [],
          `${alert.id}: ${sms}`,
        );
        assert.ok(sms.endsWith(` ack ${LONG_BASE}/s/${token}`), sms);
        assert.ok(sms.startsWith(`${alert.severity} `), sms);
      }
    }
  });

  it('acknowledgements and resolutions sent to SMS are GSM-7 too (no [ ] extension characters)', () => {
    assert.equal(smsText('[P1] acknowledged by alice: ModelAccuracyDrop'), 'P1 acknowledged by alice: ModelAccuracyDrop');
    assert.equal(smsText('ü {x} ~ 🔥 ok'), 'x ok');
  });
});

describe('the short ack link of an SMS page, end to end on moto', () => {
  async function paged(h: EscalationHarness): Promise<{ id: string; sms: string; url: string }> {
    const published = recordPublishes(h);
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop' }));
    const id = (opened as { incidentId: string }).incidentId;
    await h.stepRan(0, id);
    const sms = (JSON.parse(published[0]!.Message!) as { sms: string }).sms;
    return { id, sms, url: sms.slice(sms.lastIndexOf(' ') + 1) };
  }

  it('acknowledges the incident: GET asks, POST acts, once', async () => {
    // GIVEN the SMS a P1 published
    const h = await fresh();
    const { id, sms, url } = await paged(h);
    assert.ok(Buffer.byteLength(sms) <= SMS_MAX_BYTES, sms);
    assert.match(url, /^https:\/\/links\.example\.invalid\/s\/[A-Za-z0-9_-]{16}$/);
    // WHEN the link is opened
    const page = await handleLink(h.deps, request('GET', url));
    // THEN it asks, and changes nothing
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post" action="\/s\/[A-Za-z0-9_-]{16}">/);
    assert.equal((await h.deps.store.get(id))!.ackedAt, undefined);
    // WHEN the button is pressed
    const done = await handleLink(h.deps, request('POST', url));
    // THEN the incident is acknowledged by the link
    assert.equal(done.statusCode, 200, done.body);
    const incident = (await h.deps.store.get(id))!;
    assert.ok(incident.ackedAt);
    assert.equal(incident.ackedBy, 'link (203.0.113.9)');
    // AND a second use is refused as a replay, with the reason logged and never the token
    const again = await handleLink(h.deps, request('POST', url));
    assert.equal(again.statusCode, 409);
    assert.equal((await handleLink(h.deps, request('GET', url))).statusCode, 409);
    const rejected = h.logs.filter((l) => l.message === 'link rejected');
    assert.deepEqual(
      rejected.map((l) => l.extra?.reason),
      ['replayed', 'replayed'],
    );
    assert.ok(!JSON.stringify(h.logs).includes(url.slice(url.lastIndexOf('/') + 1)));
    // AND the table holds only the token's hash
    assert.ok(
      !JSON.stringify(await h.deps.clients.dynamo.send(new ScanCommand({ TableName: h.sample.auditTable }))).includes(url.slice(url.lastIndexOf('/') + 1)),
    );
  });

  const REFUSED: readonly { name: string; reason: string; status: number; url: (h: EscalationHarness, id: string, url: string) => Promise<string> }[] = [
    {
      name: 'expired',
      reason: 'expired',
      status: 403,
      url: async (h, id) =>
        `https://links.example.invalid/s/${await h.deps.shortLinks.create({ incidentId: id, action: 'ack', exp: Math.floor(Date.now() / 1000) - 1 })}`,
    },
    {
      name: 'forged (a well-formed token that was never issued)',
      reason: 'forged',
      status: 403,
      url: async () => 'https://links.example.invalid/s/AAAAAAAAAAAAAAAA',
    },
    {
      name: 'tampered (one character changed)',
      reason: 'forged',
      status: 403,
      url: async (_h, _id, url) => url.slice(0, -1) + (url.endsWith('A') ? 'B' : 'A'),
    },
    { name: 'malformed', reason: 'malformed', status: 400, url: async () => 'https://links.example.invalid/s/short' },
    {
      name: 'a resolve short link (none is issued: SMS only acknowledges)',
      reason: 'wrong-action',
      status: 403,
      url: async (h, id) =>
        `https://links.example.invalid/s/${await h.deps.shortLinks.create({ incidentId: id, action: 'resolve', exp: Math.floor(Date.now() / 1000) + 600 })}`,
    },
  ];
  for (const row of REFUSED) {
    it(`refuses a short link that is ${row.name}, with the reason`, async () => {
      const h = await fresh();
      const { id, url } = await paged(h);
      const response = await handleLink(h.deps, request('POST', await row.url(h, id, url)));
      assert.equal(response.statusCode, row.status);
      assert.equal((await h.deps.store.get(id))!.ackedAt, undefined);
      assert.equal((await h.deps.store.get(id))!.status, 'open');
      assert.deepEqual(
        h.logs.filter((l) => l.message === 'link rejected').map((l) => l.extra?.reason),
        [row.reason],
      );
    });
  }
});
