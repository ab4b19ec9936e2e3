import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { handleLink } from '../../lambdas/escalation/endpoint';
import { links } from '../../lambdas/escalation/notify';
import { signLink } from '../../lambdas/shared/links';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { useEscalation, type EscalationHarness } from '../support/escalation';

const { fresh } = useEscalation();
const KEY = 'test-link-key-0123456789abcdef';

/** A function URL request as Lambda passes it. */
function request(method: 'GET' | 'POST', url: string) {
  const { pathname, search } = new URL(url);
  const query = search.slice(1);
  return {
    rawPath: pathname,
    rawQueryString: method === 'GET' ? query : '',
    body: method === 'POST' ? query : undefined,
    isBase64Encoded: false,
    requestContext: { http: { method, sourceIp: '203.0.113.7' } },
  };
}

async function incident(h: EscalationHarness, alertId = 'DataLeakDetected'): Promise<string> {
  const opened = await h.event(alarmStateChangeEvent(h.config, { alertId }));
  return (opened as { incidentId: string }).incidentId;
}

describe('ack and resolve links', () => {
  it('a valid token acknowledges once; GET only asks for confirmation', async () => {
    // GIVEN the ack link of a page
    const h = await fresh();
    const id = await incident(h);
    const { ackUrl } = await links(h.deps, id);
    // WHEN the link is opened (GET: a mail scanner would do this)
    const page = await handleLink(h.deps, request('GET', ackUrl));
    // THEN nothing changes yet
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post" action="\/ack">/);
    assert.equal((await h.deps.store.get(id))!.ackedAt, undefined);
    // WHEN the button is pressed (POST)
    const done = await handleLink(h.deps, request('POST', ackUrl));
    // THEN the incident is acknowledged, by the link
    assert.equal(done.statusCode, 200);
    const acked = (await h.deps.store.get(id))!;
    assert.ok(acked.ackedAt);
    assert.equal(acked.ackedBy, 'link (203.0.113.7)');
    // AND the same token a second time is refused as a replay
    const again = await handleLink(h.deps, request('POST', ackUrl));
    assert.equal(again.statusCode, 409);
    assert.deepEqual(
      h.logs.filter((l) => l.message === 'link rejected').map((l) => l.extra?.reason),
      ['replayed'],
    );
  });

  it('the resolve link resolves and ends paging', async () => {
    const h = await fresh();
    const id = await incident(h);
    const { resolveUrl } = await links(h.deps, id);
    assert.equal((await handleLink(h.deps, request('POST', resolveUrl))).statusCode, 200);
    const resolved = (await h.deps.store.get(id))!;
    assert.equal(resolved.status, 'resolved');
    assert.equal(await h.runner.executions.get(resolved.executionName!)!.done, 'aborted');
  });

  const REJECTIONS: readonly { name: string; reason: string; status: number; url: (h: EscalationHarness, id: string, other: string) => Promise<string> }[] = [
    {
      name: 'forged (signed with another key)',
      reason: 'forged',
      status: 403,
      url: async (_h, id) =>
        `https://links.example.invalid/ack?incident=${encodeURIComponent(id)}&token=${signLink('not-the-key', { incidentId: id, action: 'ack', exp: Math.floor(Date.now() / 1000) + 600 })}`,
    },
    {
      name: 'tampered claims (incident swapped inside a valid signature)',
      reason: 'forged',
      status: 403,
      url: async (h, id, other) => {
        const { ackUrl } = await links(h.deps, id);
        const token = new URL(ackUrl).searchParams.get('token')!;
        const [body, signature] = token.split('.');
        const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
        const forged = Buffer.from(JSON.stringify({ ...claims, incidentId: other })).toString('base64url');
        return `https://links.example.invalid/ack?incident=${encodeURIComponent(other)}&token=${forged}.${signature}`;
      },
    },
    {
      name: 'expired',
      reason: 'expired',
      status: 403,
      url: async (_h, id) =>
        `https://links.example.invalid/ack?incident=${encodeURIComponent(id)}&token=${signLink(KEY, { incidentId: id, action: 'ack', exp: Math.floor(Date.now() / 1000) - 1 })}`,
    },
    {
      name: "another incident's token",
      reason: 'wrong-incident',
      status: 403,
      url: async (h, id, other) => {
        const { ackUrl } = await links(h.deps, other);
        return ackUrl.replace(`incident=${encodeURIComponent(other)}`, `incident=${encodeURIComponent(id)}`);
      },
    },
    {
      name: 'a resolve token used to acknowledge',
      reason: 'wrong-action',
      status: 403,
      url: async (h, id) => (await links(h.deps, id)).resolveUrl.replace('/resolve?', '/ack?'),
    },
    {
      name: 'garbage',
      reason: 'malformed',
      status: 400,
      url: async (_h, id) => `https://links.example.invalid/ack?incident=${encodeURIComponent(id)}&token=not-a-token`,
    },
    { name: 'no token', reason: 'malformed', status: 400, url: async (_h, id) => `https://links.example.invalid/ack?incident=${encodeURIComponent(id)}` },
  ];

  for (const row of REJECTIONS) {
    it(`rejects a token that is ${row.name}, with the reason logged`, async () => {
      const h = await fresh();
      const id = await incident(h);
      const other = await incident(h, 'AuthFailureBurst');
      const url = await row.url(h, id, other);
      const response = await handleLink(h.deps, request('POST', url));
      assert.equal(response.statusCode, row.status);
      assert.equal((await h.deps.store.get(id))!.ackedAt, undefined);
      assert.equal((await h.deps.store.get(other))!.ackedAt, undefined);
      const rejected = h.logs.filter((l) => l.message === 'link rejected');
      assert.deepEqual(
        rejected.map((l) => l.extra?.reason),
        [row.reason],
      );
      // the token never appears in the logs
      const token = new URL(url).searchParams.get('token');
      if (token) assert.ok(!JSON.stringify(h.logs).includes(token));
    });
  }
});
