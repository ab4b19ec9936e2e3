import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IntegrationsSchema, type SlackConfig } from '../../lib/core/config/integrations';
import { IntegrationError } from '../../lambdas/integrations/http';
import { channelName, slackClient } from '../../lambdas/integrations/slack';
import { TRUNCATED } from '../../lambdas/integrations/text';
import { assertNoSecret, rejectsWithIntegrationError, useFakeEndpoints } from '../support/fake-endpoints';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-bot-AbCdEf';
const config = (slack: Record<string, unknown> = {}): SlackConfig =>
  IntegrationsSchema.parse({ slack: { tokenSecretArn: ARN, inviteUsers: ['U0AAA1', 'U0BBB2'], ...slack } }).slack!;

const env = useFakeEndpoints({ slack: { userGroups: { S0ONCALL: ['U0BBB2', 'U0CCC3'], S0EMPTY: [] } } });
const client = (c: SlackConfig = config(), token = env.fake.tokens.slack, attempts = 3) =>
  slackClient(c, token, { policy: { attempts }, runtime: env.runtime });

describe('Slack client', () => {
  it('creates a public channel with the bot token', async () => {
    // GIVEN the default config (public channels)
    // WHEN a channel is created
    const channel = await client().createChannel('incident-2026-11-27');
    // THEN Slack got conversations.create with the name, is_private and the bearer token
    assert.deepEqual(
      env.fake.requests.map((r) => [r.method, r.path]),
      [['POST', '/api/conversations.create']],
    );
    const [request] = env.fake.requests;
    assert.equal(request!.headers.authorization, `Bearer ${env.fake.tokens.slack}`);
    assert.match(request!.headers['content-type']!, /^application\/json/);
    assert.deepEqual(request!.body, { name: 'incident-2026-11-27', is_private: false });
    assert.deepEqual(channel, { id: env.fake.state.slack.channels[0]!.id, name: 'incident-2026-11-27' });
    assert.equal(env.fake.state.slack.channels[0]!.is_private, false);
  });

  it('creates a private channel when configured', async () => {
    await client(config({ privateChannels: true })).createChannel('incident-x');
    assert.deepEqual(env.fake.requests[0]!.body, { name: 'incident-x', is_private: true });
    assert.equal(env.fake.state.slack.channels[0]!.is_private, true);
  });

  it('takes -2, -3 ... when the name is taken', async () => {
    // GIVEN a channel of that name already exists
    const slack = client();
    await slack.createChannel('incident-2026-11-27');
    // WHEN two more incidents of the day open channels
    const second = await slack.createChannel('incident-2026-11-27');
    const third = await slack.createChannel('incident-2026-11-27');
    // THEN they get the next free suffixes, after a name_taken answer for each taken name
    assert.equal(second.name, 'incident-2026-11-27-2');
    assert.equal(third.name, 'incident-2026-11-27-3');
    assert.deepEqual(
      env.fake.requests.map((r) => (r.body as { name: string }).name),
      ['incident-2026-11-27', 'incident-2026-11-27', 'incident-2026-11-27-2', 'incident-2026-11-27', 'incident-2026-11-27-2', 'incident-2026-11-27-3'],
    );
  });

  it('fails naming name_taken when the base name and -2 to -20 are all taken', async () => {
    const slack = client();
    for (let i = 0; i < 20; i++) await slack.createChannel('busy');
    env.fake.clear('requests');
    await assert.rejects(slack.createChannel('busy'), (error: unknown) => {
      assert.ok(error instanceof IntegrationError);
      assert.equal(error.status, 200);
      assert.match(error.message, /^slack: conversations\.create: name_taken \(busy and -2 to -20 all exist\) after 1 attempt$/);
      return true;
    });
    assert.equal(env.fake.requests.length, 20);
  });

  it('makes any base name a valid channel name of at most 80 characters, suffix included', async () => {
    assert.equal(channelName('Incident 2026/11/27: API', ''), 'incident-2026-11-27-api');
    assert.equal(channelName('---', ''), 'incident');
    const long = 'x'.repeat(100);
    assert.equal(channelName(long, '').length, 80);
    assert.equal(channelName(long, '-12'), `${'x'.repeat(77)}-12`);
    const slack = client();
    await slack.createChannel(long);
    assert.equal((await slack.createChannel(long)).name, `${'x'.repeat(78)}-2`);
  });

  it('invites the configured users and the user group members, once each', async () => {
    // GIVEN inviteUsers U0AAA1, U0BBB2 and a user group of U0BBB2, U0CCC3
    const slack = client(config({ inviteUserGroup: 'S0ONCALL' }));
    const { id } = await slack.createChannel('incident-a');
    env.fake.clear('requests');
    // WHEN on-call is invited
    const invited = await slack.invite(id);
    // THEN the group's members were read, and everyone invited in one call
    assert.deepEqual(invited, ['U0AAA1', 'U0BBB2', 'U0CCC3']);
    assert.deepEqual(
      env.fake.requests.map((r) => [r.method, r.path]),
      [
        ['GET', '/api/usergroups.users.list?usergroup=S0ONCALL'],
        ['POST', '/api/conversations.invite'],
      ],
    );
    assert.ok(env.fake.requests.every((r) => r.headers.authorization === `Bearer ${env.fake.tokens.slack}`));
    assert.deepEqual(env.fake.requests[1]!.body, { channel: id, users: 'U0AAA1,U0BBB2,U0CCC3', force: true });
    assert.deepEqual(env.fake.state.slack.channels[0]!.members, [env.fake.state.slack.botUserId, 'U0AAA1', 'U0BBB2', 'U0CCC3']);
  });

  it('takes already_in_channel as success', async () => {
    const slack = client();
    const { id } = await slack.createChannel('incident-b');
    await slack.invite(id);
    // WHEN the same people are invited again (a retried record)
    const again = await slack.invite(id);
    // THEN Slack said already_in_channel and that is no error
    assert.deepEqual(again, ['U0AAA1', 'U0BBB2']);
    assert.equal(env.fake.requests.at(-1)!.status, 200);
  });

  it('leaves out the users Slack refuses, and invites the others', async () => {
    // GIVEN a group whose members include one Slack does not know
    env.fake.state.slack.userGroups.S0MIXED = ['U0CCC3', 'bogus'];
    const slack = client(config({ inviteUsers: [], inviteUserGroup: 'S0MIXED' }));
    const { id } = await slack.createChannel('incident-c');
    // WHEN invited
    assert.deepEqual(await slack.invite(id), ['U0CCC3']);
    // THEN the known one is in the channel
    assert.ok(env.fake.state.slack.channels[0]!.members.includes('U0CCC3'));
  });

  it('does not call conversations.invite when there is nobody to invite', async () => {
    const slack = client(config({ inviteUsers: [], inviteUserGroup: 'S0EMPTY' }));
    const { id } = await slack.createChannel('incident-d');
    env.fake.clear('requests');
    assert.deepEqual(await slack.invite(id), []);
    assert.deepEqual(
      env.fake.requests.map((r) => r.path),
      ['/api/usergroups.users.list?usergroup=S0EMPTY'],
    );
  });

  it('invites at most 1000 users per call', async () => {
    env.fake.state.slack.userGroups.S0HUGE = Array.from({ length: 1500 }, (_, i) => `U${String(i).padStart(6, '0')}`);
    const slack = client(config({ inviteUsers: [], inviteUserGroup: 'S0HUGE' }));
    const { id } = await slack.createChannel('incident-e');
    assert.equal((await slack.invite(id)).length, 1500);
    const invites = env.fake.requests.filter((r) => r.path === '/api/conversations.invite').map((r) => (r.body as { users: string }).users.split(',').length);
    assert.deepEqual(invites, [1000, 500]);
  });

  it('fails when the user group does not exist', async () => {
    const slack = client(config({ inviteUserGroup: 'S0NOPE' }));
    await assert.rejects(slack.invite('C1'), /^IntegrationError: slack: usergroups\.users\.list: no_such_subteam after 1 attempt$/);
  });

  it('posts mrkdwn without link previews and returns the ts', async () => {
    const slack = client();
    const { id } = await slack.createChannel('incident-f');
    const { ts } = await slack.post(id, ':rotating_light: *P1* <https://runbook|runbook>');
    assert.deepEqual(env.fake.requests.at(-1)!.body, {
      channel: id,
      text: ':rotating_light: *P1* <https://runbook|runbook>',
      unfurl_links: false,
      unfurl_media: false,
    });
    assert.deepEqual(env.fake.state.slack.channels[0]!.messages, [
      { ts, text: ':rotating_light: *P1* <https://runbook|runbook>', unfurl_links: false, unfurl_media: false },
    ]);
  });

  it('cuts a text over 40,000 characters, with a marker', async () => {
    const slack = client();
    const { id } = await slack.createChannel('incident-g');
    await slack.post(id, 'y'.repeat(50_000));
    const sent = (env.fake.requests.at(-1)!.body as { text: string }).text;
    assert.equal(sent.length, 40_000);
    assert.ok(sent.endsWith(TRUNCATED));
  });

  it('fails with the method and Slack error for a channel that does not exist', async () => {
    await rejectsWithIntegrationError(client().post('C404', 'hello'), {
      integration: 'slack',
      status: 200,
      attempts: 1,
      message: 'slack: chat.postMessage: channel_not_found after 1 attempt',
    });
  });

  it('fails with invalid_auth for another token, without the token', async () => {
    const wrong = 'xoxb-not-the-right-token-123';
    await assert.rejects(client(config(), wrong).createChannel('incident-h'), (error: unknown) => {
      assert.match(String(error), /slack: conversations\.create: invalid_auth after 1 attempt/);
      assertNoSecret(error, wrong, env.fake.tokens.slack);
      return true;
    });
    assert.equal(env.fake.requests.length, 1);
    assert.equal(env.fake.state.slack.channels.length, 0);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    // GIVEN Slack rate-limits the next call for 3 s
    const slack = client();
    const { id } = await slack.createChannel('incident-i');
    env.fake.fail('slack', { status: 429, times: 1, retryAfter: '3' });
    // WHEN a message is posted
    await slack.post(id, 'hello');
    // THEN it waited the 3 s Slack asked for, and the second attempt went through
    assert.deepEqual(env.runtime.slept, [3000]);
    assert.deepEqual(
      env.fake
        .requestsTo('slack')
        .slice(1)
        .map((r) => r.status),
      [429, 200],
    );
    assert.equal(env.fake.state.slack.channels[0]!.messages.length, 1);
  });

  it('retries 5xx up to the attempts, then fails with the status, without the token', async () => {
    env.fake.fail('slack', { status: 503 });
    await rejectsWithIntegrationError(client(config(), env.fake.tokens.slack, 3).post('C1', 'hello'), {
      status: 503,
      attempts: 3,
      message: 'slack: chat.postMessage: HTTP 503: service_unavailable after 3 attempts',
      without: [env.fake.tokens.slack],
    });
    assert.equal(env.fake.requests.length, 3);
    assert.equal(env.runtime.slept.length, 2);
  });

  it('does not retry a 4xx', async () => {
    env.fake.fail('slack', { status: 403, times: 1, body: { ok: false, error: 'access_denied' } });
    await assert.rejects(client().createChannel('incident-j'), /^IntegrationError: slack: conversations\.create: HTTP 403: access_denied after 1 attempt$/);
    assert.equal(env.fake.requests.length, 1);
    assert.deepEqual(env.runtime.slept, []);
  });
});
