import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { call, IntegrationError, retryAfterMs, type HttpRuntime } from '../../lambdas/integrations/http';

/** A loopback server whose answers each test scripts; it records what it received. */
type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;
let script: Handler[] = [];
const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const next = script.shift();
    if (next) next(Object.assign(req, { body }), res);
    else res.writeHead(500).end('{"error":"unscripted"}');
  });
});
let base = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

/** Real fetch on loopback; backoff and Retry-After waits are recorded, not slept. */
function runtime(): HttpRuntime & { slept: number[] } {
  const slept: number[] = [];
  let clock = Date.now();
  return {
    slept,
    fetch: (...args) => fetch(...args),
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
}

function fresh(...answers: Handler[]): void {
  script = answers;
  received.length = 0;
}
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('integration HTTP calls', () => {
  it('sends the method, path, headers and JSON payload, and returns the parsed answer', async () => {
    fresh(json(200, { ok: true, channel: { id: 'C1' } }));
    const rt = runtime();
    const response = await call(
      'slack',
      { method: 'POST', url: `${base}/api/conversations.create`, headers: { authorization: 'Bearer xoxb-test-token' }, json: { name: 'incident-2026-11-27' } },
      {},
      rt,
    );
    assert.deepEqual(response, { status: 200, body: { ok: true, channel: { id: 'C1' } }, attempts: 1 });
    assert.equal(received[0]!.method, 'POST');
    assert.equal(received[0]!.url, '/api/conversations.create');
    assert.equal(received[0]!.headers.authorization, 'Bearer xoxb-test-token');
    assert.equal(received[0]!.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(received[0]!.body), { name: 'incident-2026-11-27' });
    assert.deepEqual(rt.slept, []);
  });

  it('honours 429 Retry-After, then succeeds', async () => {
    fresh(json(429, { error: 'ratelimited' }, { 'retry-after': '2' }), json(200, { ok: true }));
    const rt = runtime();
    const response = await call('slack', { method: 'POST', url: `${base}/api/chat.postMessage`, json: {} }, {}, rt);
    assert.equal(response.attempts, 2);
    assert.deepEqual(rt.slept, [2000]);
  });

  it('retries 5xx with backoff, and fails after the last attempt naming the integration and the status', async () => {
    fresh(json(503, { error: 'unavailable' }), json(502, {}), json(500, { message: 'boom' }));
    const rt = runtime();
    await assert.rejects(
      call('statuspage', { method: 'POST', url: `${base}/v1/pages/p/incidents`, json: {} }, { attempts: 3, baseDelayMs: 100 }, rt),
      (error: unknown) => {
        assert.ok(error instanceof IntegrationError);
        assert.equal(error.status, 500);
        assert.equal(error.attempts, 3);
        assert.equal(error.message, 'statuspage: HTTP 500: boom after 3 attempts');
        return true;
      },
    );
    assert.equal(received.length, 3);
    assert.equal(rt.slept.length, 2);
    assert.ok(rt.slept[0]! <= 100 && rt.slept[1]! <= 200, JSON.stringify(rt.slept));
  });

  it('does not retry a request the service refuses (4xx)', async () => {
    fresh(json(401, { error: 'invalid_auth' }));
    await assert.rejects(
      call('slack', { method: 'POST', url: `${base}/api/chat.postMessage`, json: {} }, {}, runtime()),
      /slack: HTTP 401: invalid_auth after 1 attempt$/,
    );
    assert.equal(received.length, 1);
  });

  it('times out a silent endpoint', async () => {
    fresh(
      () => undefined,
      () => undefined,
    );
    const started = Date.now();
    await assert.rejects(
      call('tickets', { method: 'POST', url: `${base}/issues`, json: {} }, { timeoutMs: 200, attempts: 2 }, runtime()),
      /tickets: no answer within 200 ms after 2 attempts/,
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('gives up rather than wait past its budget', async () => {
    fresh(json(429, {}, { 'retry-after': '120' }));
    const rt = runtime();
    await assert.rejects(
      call('pagerduty', { method: 'POST', url: `${base}/v2/enqueue`, json: {} }, { budgetMs: 10_000 }, rt),
      /giving up: the next try would exceed the time budget/,
    );
    assert.deepEqual(rt.slept, []);
  });

  it('never puts secrets of the URL or headers in its errors', async () => {
    fresh(json(500, { error: 'x' }), json(500, { error: 'x' }));
    const secretUrl = `${base}/hooks/T000/B000/s3cr3t-webhook-token?token=another-secret`;
    await assert.rejects(
      call('slack-webhook', { method: 'POST', url: secretUrl, headers: { authorization: 'Bearer xoxb-secret' }, json: {} }, { attempts: 2 }, runtime()),
      (error: unknown) => {
        const text = `${String(error)} ${JSON.stringify(error)}`;
        for (const secret of ['s3cr3t-webhook-token', 'another-secret', 'xoxb-secret']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
        return true;
      },
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    assert.equal(retryAfterMs('3', now), 3000);
    assert.equal(retryAfterMs('Fri, 27 Nov 2026 10:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  });
});
