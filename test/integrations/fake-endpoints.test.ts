import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { call } from '../../lambdas/integrations/http';
import { useFakeEndpoints } from '../support/fake-endpoints';

/**
 * The fake endpoints the integration and orchestration tests rely on: they must refuse what the real services
 * refuse, or a test would pass against the fake and the client fail in production.
 */

const env = useFakeEndpoints();

/** A raw call through the fake's fetch: the status and parsed body. */
async function send(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; json?: unknown; text?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await env.fake.fetch(url, {
    method,
    headers: { ...(options.json === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    ...(options.text === undefined ? {} : { body: options.text }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // plain text answer
  }
  return { status: response.status, body };
}

describe('fake endpoints', () => {
  it('fails like an unknown host for anything it does not emulate', async () => {
    await assert.rejects(env.fake.fetch('https://example.com/x'), (error: unknown) => {
      assert.equal((error as { cause?: { code?: string } }).cause?.code, 'ENOTFOUND');
      return true;
    });
    await assert.rejects(
      call('x', { method: 'GET', url: 'http://slack.com/api/chat.postMessage' }, { attempts: 1 }, env.fake.runtime()),
      /network error \(ENOTFOUND\)/,
    );
    assert.equal(env.fake.requests.length, 0);
  });

  it('records every request with its service, host, path and query, headers and parsed body', async () => {
    const auth = { authorization: `Bearer ${env.fake.tokens.slack}` };
    await send('GET', 'https://slack.com/api/usergroups.users.list?usergroup=S0X', { headers: auth });
    await send('POST', 'https://slack.com/api/conversations.create', { headers: auth, text: 'name=from-a-form' });
    assert.deepEqual(
      env.fake.requests.map((r) => ({ service: r.service, host: r.host, method: r.method, path: r.path, body: r.body, status: r.status })),
      [
        { service: 'slack', host: 'slack.com', method: 'GET', path: '/api/usergroups.users.list?usergroup=S0X', body: undefined, status: 200 },
        { service: 'slack', host: 'slack.com', method: 'POST', path: '/api/conversations.create', body: 'name=from-a-form', status: 200 },
      ],
    );
    assert.equal(env.fake.requests[0]!.headers.authorization, auth.authorization);
  });

  describe('Slack', () => {
    const auth = () => ({ authorization: `Bearer ${env.fake.tokens.slack}` });
    it('answers auth errors with HTTP 200 and ok: false', async () => {
      assert.deepEqual(await send('POST', 'https://slack.com/api/chat.postMessage', { json: { channel: 'C1', text: 'x' } }), {
        status: 200,
        body: { ok: false, error: 'not_authed' },
      });
      assert.deepEqual(
        await send('POST', 'https://slack.com/api/chat.postMessage', { headers: { authorization: 'Bearer xoxb-other' }, json: { channel: 'C1', text: 'x' } }),
        { status: 200, body: { ok: false, error: 'invalid_auth' } },
      );
    });
    it('refuses invalid channel names and unknown methods', async () => {
      const create = (name: unknown) => send('POST', 'https://slack.com/api/conversations.create', { headers: auth(), json: { name } });
      assert.deepEqual((await create('Incident')).body, { ok: false, error: 'invalid_name_specials' });
      assert.deepEqual((await create('x'.repeat(81))).body, { ok: false, error: 'invalid_name_maxlength' });
      assert.deepEqual((await create(undefined)).body, { ok: false, error: 'invalid_name_required' });
      assert.equal((await send('POST', 'https://slack.com/api/chat.delete', { headers: auth(), json: {} })).status, 404);
      assert.equal(env.fake.state.slack.channels.length, 0);
    });
    it('reads form-encoded arguments like Slack', async () => {
      const response = await env.fake.fetch('https://slack.com/api/conversations.create', {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=from-a-form',
      });
      assert.equal(((await response.json()) as { ok: boolean }).ok, true);
      assert.equal(env.fake.state.slack.channels[0]!.name, 'from-a-form');
    });
    it('fails an invite without force when one user is refused, and invites nobody', async () => {
      const created = (await send('POST', 'https://slack.com/api/conversations.create', { headers: auth(), json: { name: 'c' } })).body as {
        channel: { id: string };
      };
      const answer = await send('POST', 'https://slack.com/api/conversations.invite', {
        headers: auth(),
        json: { channel: created.channel.id, users: 'U0AAA1,nope' },
      });
      assert.deepEqual(answer.body, { ok: false, error: 'user_not_found', errors: [{ user: 'nope', ok: false, error: 'user_not_found' }] });
      assert.deepEqual(env.fake.state.slack.channels[0]!.members, [env.fake.state.slack.botUserId]);
      assert.deepEqual((await send('POST', 'https://slack.com/api/chat.postMessage', { headers: auth(), json: { channel: created.channel.id } })).body, {
        ok: false,
        error: 'no_text',
      });
    });
  });

  describe('Statuspage', () => {
    const auth = () => ({ authorization: `OAuth ${env.fake.tokens.statuspage}` });
    const url = 'https://api.statuspage.io/v1/pages/kctbh9vrtdwd/incidents';
    it('refuses a body without incident (400) and an invalid status (422)', async () => {
      assert.equal((await send('POST', url, { headers: auth(), json: { name: 'x' } })).status, 400);
      assert.deepEqual(await send('POST', url, { headers: auth(), json: { incident: { name: 'x', status: 'exploded' } } }), {
        status: 422,
        body: { error: 'Status is not included in the list' },
      });
      assert.equal((await send('POST', url, { headers: auth(), json: { incident: { name: 'x', components: { c1: 'on_fire' } } } })).status, 422);
      assert.equal((await send('POST', url, { headers: auth(), json: { incident: { status: 'investigating' } } })).status, 422);
      assert.equal(env.fake.state.statuspage.incidents.length, 0);
    });
    it('accepts the key as api_key too, and refuses no key', async () => {
      assert.equal((await send('POST', url, { json: { incident: { name: 'x' } } })).status, 401);
      assert.equal((await send('POST', `${url}?api_key=${env.fake.tokens.statuspage}`, { json: { incident: { name: 'x' } } })).status, 201);
    });
  });

  describe('GitHub', () => {
    const headers = () => ({ authorization: `Bearer ${env.fake.tokens.github}`, 'user-agent': 'test' });
    const url = 'https://api.github.com/repos/acme/shop/issues';
    it('refuses requests without User-Agent (403), without a token (401), without a title (422)', async () => {
      // undici sends its own User-Agent unless told otherwise: an empty one is what "without" looks like here.
      const noAgent = await send('POST', url, { headers: { authorization: `Bearer ${env.fake.tokens.github}`, 'user-agent': '' }, json: { title: 'x' } });
      assert.equal(noAgent.status, 403);
      assert.match(noAgent.body as string, /User-Agent/);
      assert.deepEqual((await send('POST', url, { headers: { 'user-agent': 'test' }, json: { title: 'x' } })).body, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
      const untitled = await send('POST', url, { headers: headers(), json: { body: 'x' } });
      assert.equal(untitled.status, 422);
      assert.match((untitled.body as { message: string }).message, /"title" wasn't supplied/);
      assert.equal((await send('PATCH', `${url}/1`, { headers: headers(), json: { state: 'closed' } })).status, 404);
      assert.equal(env.fake.state.github.issues.length, 0);
    });
    it('refuses an invalid state, and numbers issues per repository', async () => {
      await send('POST', url, { headers: headers(), json: { title: 'a' } });
      await send('POST', 'https://api.github.com/repos/acme/other/issues', { headers: headers(), json: { title: 'b' } });
      assert.deepEqual(
        env.fake.state.github.issues.map((i) => [i.repository, i.number]),
        [
          ['acme/shop', 1],
          ['acme/other', 1],
        ],
      );
      assert.equal((await send('PATCH', `${url}/1`, { headers: headers(), json: { state: 'done' } })).status, 422);
    });
  });

  describe('Jira', () => {
    const auth = () => ({ authorization: `Basic ${Buffer.from(env.fake.tokens.jira).toString('base64')}` });
    const url = 'https://acme.atlassian.net/rest/api/3/issue';
    const fields = { project: { key: 'OPS' }, summary: 's', issuetype: { name: 'Task' } };
    it('refuses a plain-string description, spaced labels, a missing summary, with errorMessages and errors', async () => {
      assert.deepEqual((await send('POST', url, { headers: auth(), json: { fields: { ...fields, description: 'plain' } } })).body, {
        errorMessages: [],
        errors: { description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' },
      });
      assert.equal((await send('POST', url, { headers: auth(), json: { fields: { ...fields, labels: ['on call'] } } })).status, 400);
      assert.deepEqual((await send('POST', url, { headers: auth(), json: { fields: { ...fields, summary: '' } } })).body, {
        errorMessages: [],
        errors: { summary: 'You must specify a summary of the issue.' },
      });
      assert.equal((await send('POST', url, { headers: auth(), text: 'fields=x' })).status, 415);
      assert.equal((await send('POST', url, { json: { fields } })).status, 401);
      assert.equal(env.fake.state.jira.issues.length, 0);
    });
    it('refuses a transition the workflow does not offer from the status', async () => {
      await send('POST', url, { headers: auth(), json: { fields } });
      const transition = (id: string) => send('POST', `${url}/OPS-1/transitions`, { headers: auth(), json: { transition: { id } } });
      assert.deepEqual(await transition('11'), { status: 400, body: { errorMessages: ["Transition id '11' is not valid for this issue."], errors: {} } });
      assert.equal((await transition('31')).status, 204);
      assert.equal(env.fake.state.jira.issues[0]!.status, 'Done');
      assert.equal((await send('POST', `${url}/OPS-2/comment`, { headers: auth(), json: { body: { type: 'doc', version: 1, content: [] } } })).status, 404);
      assert.equal((await send('POST', `${url}/OPS-1/comment`, { headers: auth(), json: { body: { type: 'doc', version: 1, content: [] } } })).status, 400);
    });
  });

  describe('PagerDuty', () => {
    const url = 'https://events.pagerduty.com/v2/enqueue';
    it('refuses events PagerDuty refuses, listing why', async () => {
      const routing_key = env.fake.tokens.pagerduty;
      assert.deepEqual((await send('POST', url, { json: { routing_key, event_action: 'trigger', payload: { summary: 's', source: 'x' } } })).body, {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ["'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"],
      });
      assert.equal((await send('POST', url, { json: { routing_key, event_action: 'explode', dedup_key: 'd' } })).status, 400);
      assert.equal((await send('POST', url, { json: { routing_key: 'y'.repeat(32), event_action: 'resolve', dedup_key: 'd' } })).status, 400);
      assert.equal(env.fake.state.pagerduty.events.length, 0);
      const ok = await send('POST', url, { json: { routing_key, event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'info' } } });
      assert.equal(ok.status, 202);
      assert.match((ok.body as { dedup_key: string }).dedup_key, /^[0-9a-f]{32}$/);
    });
  });

  describe('faults', () => {
    it('applies queued faults in order, each for its times, then the service answers', async () => {
      env.fake.fail('github', { status: 500, times: 1 });
      env.fake.fail('github', { status: 429, times: 2, retryAfter: '9', body: { message: 'slow down' } });
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const response = await env.fake.fetch('https://api.github.com/repos/a/b/issues/1', {
          headers: { 'user-agent': 't', authorization: `Bearer ${env.fake.tokens.github}` },
        });
        statuses.push(response.status);
        if (i === 1) {
          retryAfter = response.headers.get('retry-after');
          assert.deepEqual(await response.json(), { message: 'slow down' });
        }
      }
      assert.deepEqual(statuses, [500, 429, 429, 404]);
      assert.equal(retryAfter, '9');
      assert.deepEqual(
        env.fake.requestsTo('github').map((r) => r.status),
        [500, 429, 429, 404],
      );
      assert.deepEqual(env.fake.requestsTo('slack'), []);
    });

    it('drops connections, or does not answer until the client times out', async () => {
      env.fake.fail('pagerduty', { network: 'reset', times: 1 });
      env.fake.fail('pagerduty', { network: 'hang', times: 1 });
      const request = { method: 'POST' as const, url: 'https://events.pagerduty.com/v2/enqueue', json: {} };
      await assert.rejects(call('pagerduty', request, { attempts: 1 }, env.fake.runtime()), /network error/);
      await assert.rejects(call('pagerduty', request, { attempts: 1, timeoutMs: 100 }, env.fake.runtime()), /no answer within 100 ms/);
      assert.deepEqual(
        env.fake.requests.map((r) => r.status),
        [undefined, undefined],
      );
    });

    it('refuses a fault that could not happen', () => {
      assert.throws(() => env.fake.fail('slack', { status: 200 }), RangeError);
      assert.throws(() => env.fake.fail('slack', { status: 500, times: 0 }), RangeError);
    });

    it('clear() forgets requests, faults and state, keeping the state objects', async () => {
      const channels = env.fake.state.slack.channels;
      await send('POST', 'https://slack.com/api/conversations.create', { headers: { authorization: `Bearer ${env.fake.tokens.slack}` }, json: { name: 'x' } });
      env.fake.fail('slack', { status: 500 });
      env.fake.clear();
      assert.equal(env.fake.requests.length, 0);
      assert.equal(channels.length, 0);
      assert.equal(env.fake.state.slack.channels, channels);
      assert.equal(
        (
          await send('POST', 'https://slack.com/api/conversations.create', {
            headers: { authorization: `Bearer ${env.fake.tokens.slack}` },
            json: { name: 'x' },
          })
        ).status,
        200,
      );
    });
  });
});
