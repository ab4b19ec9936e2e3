import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IntegrationsSchema, type GitHubConfig, type JiraConfig } from '../../lib/core/config/integrations';
import { adf } from '../../lambdas/integrations/adf';
import { IntegrationError } from '../../lambdas/integrations/http';
import { ticketTracker } from '../../lambdas/integrations/tickets';
import { assertNoSecret, rejectsWithIntegrationError, useFakeEndpoints } from '../support/fake-endpoints';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tickets-AbCdEf';
const github = (extra: Record<string, unknown> = {}) =>
  IntegrationsSchema.parse({ tickets: { provider: 'github', tokenSecretArn: ARN, repository: 'acme/shop', ...extra } }).tickets as GitHubConfig;
const jira = (extra: Record<string, unknown> = {}) =>
  IntegrationsSchema.parse({ tickets: { provider: 'jira', credentialsSecretArn: ARN, baseUrl: 'https://acme.atlassian.net', projectKey: 'OPS', ...extra } })
    .tickets as JiraConfig;
const TICKET = {
  title: '[P3] disk-filling (api): disk 85% full',
  body: 'Disk 85% full on api.\n\nRunbook: https://runbooks.example.com/disk-filling.\nIncident inc-1',
};

const env = useFakeEndpoints({ jira: { projects: ['OPS'] } });
const tracker = (config: GitHubConfig | JiraConfig, secret?: string, attempts = 3) =>
  ticketTracker(config, secret ?? (config.provider === 'github' ? env.fake.tokens.github : env.fake.tokens.jira), {
    policy: { attempts },
    runtime: env.runtime,
  });

describe('GitHub Issues tracker', () => {
  const HEADERS = () => ({
    authorization: `Bearer ${env.fake.tokens.github}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'runbook-alerting',
  });
  const headersOf = (i: number) => Object.fromEntries(Object.keys(HEADERS()).map((h) => [h, env.fake.requests[i]!.headers[h]]));

  it('opens an issue with the labels, and returns its number and page', async () => {
    // WHEN a P3 opens a ticket
    const ref = await tracker(github({ labels: ['alerting', 'P3'] })).open(TICKET);
    // THEN the repository's issues got title, body and labels, with the token, API version and User-Agent
    assert.deepEqual(
      env.fake.requests.map((r) => [r.method, r.path, r.status]),
      [['POST', '/repos/acme/shop/issues', 201]],
    );
    assert.deepEqual(headersOf(0), HEADERS());
    assert.deepEqual(env.fake.requests[0]!.body, { title: TICKET.title, body: TICKET.body, labels: ['alerting', 'P3'] });
    assert.deepEqual(ref, { key: '1', url: 'https://github.com/acme/shop/issues/1' });
    assert.equal(tracker(github()).provider, 'github');
  });

  it('comments on an issue', async () => {
    const tickets = tracker(github());
    const ref = await tickets.open(TICKET);
    await tickets.comment(ref, 'Fired again at 10:02.');
    assert.deepEqual(
      [env.fake.requests[1]!.method, env.fake.requests[1]!.path, env.fake.requests[1]!.body],
      ['POST', '/repos/acme/shop/issues/1/comments', { body: 'Fired again at 10:02.' }],
    );
    assert.deepEqual(headersOf(1), HEADERS());
    assert.deepEqual(
      env.fake.state.github.issues[0]!.comments.map((c) => c.body),
      ['Fired again at 10:02.'],
    );
  });

  it('closes with a comment first, as completed', async () => {
    const tickets = tracker(github());
    const ref = await tickets.open(TICKET);
    assert.equal(await tickets.close(ref, 'Resolved by the responder.'), 'closed');
    assert.deepEqual(
      env.fake.requests.slice(1).map((r) => [r.method, r.path, r.body]),
      [
        ['POST', '/repos/acme/shop/issues/1/comments', { body: 'Resolved by the responder.' }],
        ['PATCH', '/repos/acme/shop/issues/1', { state: 'closed', state_reason: 'completed' }],
      ],
    );
    assert.deepEqual([env.fake.state.github.issues[0]!.state, env.fake.state.github.issues[0]!.state_reason], ['closed', 'completed']);
  });

  it('reopens, then comments', async () => {
    const tickets = tracker(github());
    const ref = await tickets.open(TICKET);
    await tickets.close(ref, 'Resolved.');
    env.fake.clear('requests');
    assert.equal(await tickets.reopen(ref, 'Fired again within a day.'), 'reopened');
    assert.deepEqual(
      env.fake.requests.map((r) => [r.method, r.path, r.body]),
      [
        ['PATCH', '/repos/acme/shop/issues/1', { state: 'open' }],
        ['POST', '/repos/acme/shop/issues/1/comments', { body: 'Fired again within a day.' }],
      ],
    );
    assert.deepEqual([env.fake.state.github.issues[0]!.state, env.fake.state.github.issues[0]!.state_reason], ['open', 'reopened']);
  });

  it("cuts a title to GitHub's 256 characters", async () => {
    await tracker(github()).open({ title: 't'.repeat(300), body: 'b' });
    assert.equal((env.fake.requests[0]!.body as { title: string }).title.length, 256);
    assert.equal(env.fake.state.github.issues.length, 1);
  });

  it('fails at once with 401 Bad credentials for another token, without the token', async () => {
    const wrong = 'github_pat_wrong_token_0042';
    await rejectsWithIntegrationError(tracker(github(), wrong).open(TICKET), {
      status: 401,
      message: 'github: HTTP 401: Bad credentials after 1 attempt',
      without: [wrong],
    });
    assert.equal(env.fake.requests.length, 1);
  });

  it('fails at once with 404 for an issue that does not exist', async () => {
    await assert.rejects(tracker(github()).comment({ key: '99', url: '' }, 'x'), /github: HTTP 404: Not Found after 1 attempt/);
    assert.equal(env.fake.requests.length, 1);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    env.fake.fail('github', { status: 429, times: 1, retryAfter: '7' });
    await tracker(github()).open(TICKET);
    assert.deepEqual(env.runtime.slept, [7000]);
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [429, 201],
    );
  });

  it('retries 5xx up to the attempts, then fails with the status, without the token', async () => {
    env.fake.fail('github', { status: 502 });
    await rejectsWithIntegrationError(tracker(github(), undefined, 3).open(TICKET), { status: 502, attempts: 3, without: [env.fake.tokens.github] });
    assert.equal(env.fake.requests.length, 3);
  });
});

describe('Jira tracker', () => {
  const BASIC = () => `Basic ${Buffer.from(env.fake.tokens.jira).toString('base64')}`;

  it('opens an issue with an ADF description, and returns its key and page', async () => {
    // GIVEN labels Jira would refuse with their spaces
    const tickets = tracker(jira({ labels: ['alerting', 'on call'] }));
    // WHEN a ticket is opened
    const ref = await tickets.open({ title: 'Disk\nfilling', body: TICKET.body });
    // THEN Jira got the fields, with basic auth of email:token
    const [request] = env.fake.requests;
    assert.deepEqual([request!.method, request!.path, request!.status], ['POST', '/rest/api/3/issue', 201]);
    assert.equal(request!.host, 'acme.atlassian.net');
    assert.equal(request!.headers.authorization, BASIC());
    assert.deepEqual(request!.body, {
      fields: { project: { key: 'OPS' }, summary: 'Disk filling', issuetype: { name: 'Task' }, labels: ['alerting', 'on-call'], description: adf(TICKET.body) },
    });
    assert.deepEqual(ref, { key: 'OPS-1', url: 'https://acme.atlassian.net/browse/OPS-1' });
    assert.equal(env.fake.state.jira.issues[0]!.descriptionText, TICKET.body);
    assert.equal(tickets.provider, 'jira');
  });

  it('writes paragraphs, line breaks and links as ADF', () => {
    assert.deepEqual(adf('One\ntwo https://x.example/a.\n\nThree'), {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'One' },
            { type: 'hardBreak' },
            { type: 'text', text: 'two ' },
            { type: 'text', text: 'https://x.example/a', marks: [{ type: 'link', attrs: { href: 'https://x.example/a' } }] },
            { type: 'text', text: '.' },
          ],
        },
        { type: 'paragraph', content: [{ type: 'text', text: 'Three' }] },
      ],
    });
    assert.deepEqual(adf('  \n\n '), { type: 'doc', version: 1, content: [] });
  });

  it('comments in ADF', async () => {
    const tickets = tracker(jira());
    const ref = await tickets.open(TICKET);
    await tickets.comment(ref, 'Fired again.');
    assert.deepEqual(
      [env.fake.requests[1]!.method, env.fake.requests[1]!.path, env.fake.requests[1]!.body],
      ['POST', '/rest/api/3/issue/OPS-1/comment', { body: adf('Fired again.') }],
    );
    assert.equal(env.fake.requests[1]!.headers.authorization, BASIC());
    assert.deepEqual(
      env.fake.state.jira.issues[0]!.comments.map((c) => c.text),
      ['Fired again.'],
    );
  });

  it('closes through the done transition when it is offered', async () => {
    const tickets = tracker(jira({ doneTransitionId: '31' }));
    const ref = await tickets.open(TICKET);
    // WHEN closed
    assert.equal(await tickets.close(ref, 'Resolved.'), 'closed');
    // THEN: comment, the offered transitions, the transition
    assert.deepEqual(
      env.fake.requests.slice(1).map((r) => [r.method, r.path, r.status]),
      [
        ['POST', '/rest/api/3/issue/OPS-1/comment', 201],
        ['GET', '/rest/api/3/issue/OPS-1/transitions', 200],
        ['POST', '/rest/api/3/issue/OPS-1/transitions', 204],
      ],
    );
    assert.deepEqual(env.fake.requests[3]!.body, { transition: { id: '31' } });
    assert.equal(env.fake.state.jira.issues[0]!.status, 'Done');
  });

  it('only comments when closing without a doneTransitionId', async () => {
    const tickets = tracker(jira());
    const ref = await tickets.open(TICKET);
    assert.equal(await tickets.close(ref, 'Resolved.'), 'commented');
    assert.deepEqual(
      env.fake.requests.slice(1).map((r) => r.path),
      ['/rest/api/3/issue/OPS-1/comment'],
    );
    assert.equal(env.fake.state.jira.issues[0]!.status, 'To Do');
  });

  it('only comments when a human already closed it', async () => {
    const tickets = tracker(jira({ doneTransitionId: '31' }));
    const ref = await tickets.open(TICKET);
    env.fake.state.jira.issues[0]!.status = 'Done';
    assert.equal(await tickets.close(ref, 'Resolved.'), 'commented');
    assert.deepEqual(
      env.fake.requests.slice(1).map((r) => [r.method, r.path]),
      [
        ['POST', '/rest/api/3/issue/OPS-1/comment'],
        ['GET', '/rest/api/3/issue/OPS-1/transitions'],
      ],
    );
  });

  it('reopens through the reopen transition, then comments; without one, only comments', async () => {
    const tickets = tracker(jira({ doneTransitionId: '31', reopenTransitionId: '11' }));
    const ref = await tickets.open(TICKET);
    await tickets.close(ref, 'Resolved.');
    env.fake.clear('requests');
    assert.equal(await tickets.reopen(ref, 'Fired again.'), 'reopened');
    assert.deepEqual(
      env.fake.requests.map((r) => [r.method, r.path]),
      [
        ['GET', '/rest/api/3/issue/OPS-1/transitions'],
        ['POST', '/rest/api/3/issue/OPS-1/transitions'],
        ['POST', '/rest/api/3/issue/OPS-1/comment'],
      ],
    );
    assert.equal(env.fake.state.jira.issues[0]!.status, 'To Do');
    assert.deepEqual(env.fake.state.jira.issues[0]!.transitions, ['31', '11']);

    env.fake.clear('requests');
    assert.equal(await tracker(jira()).reopen(ref, 'And again.'), 'commented');
    assert.deepEqual(
      env.fake.requests.map((r) => r.path),
      ['/rest/api/3/issue/OPS-1/comment'],
    );
  });

  it('refuses a secret without ":" at once, without repeating it', () => {
    const secret = 'just-a-jira-token-without-email';
    assert.throws(
      () => tracker(jira(), secret),
      (error: unknown) => {
        assert.ok(error instanceof IntegrationError);
        assert.match(error.message, /credentials secret must be "<email>:<api token>"/);
        assertNoSecret(error, secret);
        return true;
      },
    );
    assert.throws(() => tracker(jira(), 'oncall@example.com:'), IntegrationError);
    assert.equal(env.fake.requests.length, 0);
  });

  it('fails at once with 401 for other credentials, without them', async () => {
    const wrong = 'oncall@example.com:wrong-jira-token-0042';
    await rejectsWithIntegrationError(tracker(jira(), wrong).open(TICKET), {
      status: 401,
      attempts: 1,
      without: [wrong, 'wrong-jira-token-0042', Buffer.from(wrong).toString('base64')],
    });
    assert.equal(env.fake.requests.length, 1);
  });

  it('fails at once with 400 when Jira refuses the fields', async () => {
    // GIVEN a project that does not exist on the site
    await rejectsWithIntegrationError(tracker(jira({ projectKey: 'NOPE' })).open(TICKET), { status: 400, attempts: 1 });
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [400],
    );
    assert.equal(env.fake.state.jira.issues.length, 0);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    env.fake.fail('jira', { status: 429, times: 1, retryAfter: '2' });
    await tracker(jira()).open(TICKET);
    assert.deepEqual(env.runtime.slept, [2000]);
    assert.deepEqual(
      env.fake.requests.map((r) => r.status),
      [429, 201],
    );
  });

  it('retries 5xx up to the attempts, then fails with the status, without the credentials', async () => {
    env.fake.fail('jira', { status: 503 });
    await rejectsWithIntegrationError(tracker(jira(), undefined, 2).open(TICKET), {
      status: 503,
      attempts: 2,
      without: [env.fake.tokens.jira, Buffer.from(env.fake.tokens.jira).toString('base64')],
    });
    assert.equal(env.fake.requests.length, 2);
  });
});
