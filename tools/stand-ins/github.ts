import { isObject, isStringArray, reply, type FakeRequest, type FakeResponse, type ServiceFake } from './wire';

/**
 * The issues of the GitHub REST API (`/repos/:owner/:repo/issues[/:n[/comments]]`), as GitHub answers them:
 * 403 (plain text) without a User-Agent, 401 `Bad credentials` for another token, 400 for an unsupported
 * X-GitHub-Api-Version, 404 `Not Found`, 422 for a missing or invalid field, 201/200 with the issue or comment.
 */

const DOCS = 'https://docs.github.com/rest';
const VERSIONS = ['2022-11-28'];

export interface FakeGitHubComment {
  readonly id: number;
  readonly body: string;
}

export interface FakeGitHubIssue {
  /** `owner/repo` */
  readonly repository: string;
  readonly number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  readonly html_url: string;
  readonly comments: FakeGitHubComment[];
}

export interface FakeGitHubState {
  /** Every repository's issues, in creation order. */
  readonly issues: FakeGitHubIssue[];
}

export interface FakeGitHubOptions {
  /** `owner/repo` the token may write to; others answer 404 (as GitHub hides what a token cannot see). @default any */
  readonly repositories?: readonly string[];
}

export function gitHubFake(token: string, options: FakeGitHubOptions = {}): ServiceFake<FakeGitHubState> {
  const state: FakeGitHubState = { issues: [] };
  let commentIds = 0;
  const message = (status: number, text: string, extra: Record<string, unknown> = {}) =>
    reply(status, { message: text, documentation_url: DOCS, status: String(status), ...extra });
  const notFound = () => message(404, 'Not Found');
  const invalidField = (field: string, text: string) =>
    message(422, 'Validation Failed', { errors: [{ resource: 'Issue', code: 'custom', field, message: text }] });

  function view(issue: FakeGitHubIssue): Record<string, unknown> {
    const api = `https://api.github.com/repos/${issue.repository}/issues/${issue.number}`;
    return {
      id: 1_000_000 + issue.number,
      number: issue.number,
      url: api,
      html_url: issue.html_url,
      title: issue.title,
      body: issue.body,
      labels: issue.labels.map((name) => ({ name })),
      state: issue.state,
      state_reason: issue.state_reason,
      comments: issue.comments.length,
      user: { login: 'runbook-alerting[bot]' },
    };
  }

  function create(repository: string, body: Record<string, unknown>): FakeResponse {
    if (body.title === undefined || body.title === null || body.title === '') return message(422, 'Invalid request.\n\n"title" wasn\'t supplied.');
    if (typeof body.title !== 'string' && typeof body.title !== 'number')
      return message(422, "Invalid request.\n\nFor 'properties/title', " + JSON.stringify(body.title) + ' is not a string or integer.');
    if (String(body.title).length > 256) return invalidField('title', 'title is too long (maximum is 256 characters)');
    if (body.body !== undefined && body.body !== null && typeof body.body !== 'string')
      return message(422, "Invalid request.\n\nFor 'properties/body', it is not a string or null.");
    if (typeof body.body === 'string' && body.body.length > 65_536) return invalidField('body', 'body is too long (maximum is 65536 characters)');
    if (body.labels !== undefined && !isStringArray(body.labels))
      return message(422, "Invalid request.\n\nFor 'properties/labels', it is not an array of strings.");
    const number = state.issues.filter((i) => i.repository === repository).length + 1;
    const issue: FakeGitHubIssue = {
      repository,
      number,
      title: String(body.title),
      body: (body.body as string | null | undefined) ?? null,
      labels: [...new Set((body.labels as string[] | undefined) ?? [])],
      state: 'open',
      state_reason: null,
      html_url: `https://github.com/${repository}/issues/${number}`,
      comments: [],
    };
    state.issues.push(issue);
    return reply(201, view(issue));
  }

  function edit(issue: FakeGitHubIssue, body: Record<string, unknown>): FakeResponse {
    if (body.state !== undefined && body.state !== 'open' && body.state !== 'closed')
      return message(422, "Invalid request.\n\nFor 'properties/state', " + JSON.stringify(body.state) + ' is not a possible value.');
    if (
      body.state_reason !== undefined &&
      body.state_reason !== null &&
      !['completed', 'not_planned', 'reopened', 'duplicate'].includes(body.state_reason as string)
    )
      return message(422, "Invalid request.\n\nFor 'properties/state_reason', " + JSON.stringify(body.state_reason) + ' is not a possible value.');
    if (body.title !== undefined && (typeof body.title !== 'string' || body.title === '')) return invalidField('title', "title can't be blank");
    if (typeof body.title === 'string') issue.title = body.title;
    if (body.body !== undefined) issue.body = body.body as string | null;
    if (isStringArray(body.labels)) issue.labels = [...body.labels];
    if (body.state === 'closed') {
      issue.state_reason = (body.state_reason as string | undefined) ?? 'completed';
      issue.state = 'closed';
    } else if (body.state === 'open' && issue.state === 'closed') {
      issue.state = 'open';
      issue.state_reason = 'reopened';
    }
    return reply(200, view(issue));
  }

  return {
    state,
    reset: () => {
      state.issues.length = 0;
      commentIds = 0;
    },
    faultBody: (status) => (status === 429 ? { message: 'API rate limit exceeded', documentation_url: DOCS } : { message: 'Server Error' }),
    handle(request: FakeRequest) {
      if (!request.headers['user-agent']) {
        return {
          status: 403,
          text: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.',
          headers: { 'content-type': 'text/plain' },
        };
      }
      const version = request.headers['x-github-api-version'];
      if (version !== undefined && !VERSIONS.includes(version)) return message(400, `API version '${version}' is not supported.`);
      const credentials = request.headers.authorization;
      if (credentials === undefined) return message(401, 'Requires authentication');
      if (/^(?:Bearer|token) (.+)$/.exec(credentials)?.[1] !== token) return message(401, 'Bad credentials');

      const match = /^\/repos\/([^/]+\/[^/]+)\/issues(?:\/(\d+)(\/comments)?)?$/.exec(request.pathname);
      if (!match) return notFound();
      const [, repository, number, comments] = match as unknown as [string, string, string | undefined, string | undefined];
      if (options.repositories && !options.repositories.includes(repository)) return notFound();
      if (request.malformed) return message(400, 'Problems parsing JSON');
      const body = isObject(request.body) ? request.body : {};
      if (number === undefined) {
        if (request.method === 'POST') return create(repository, body);
        if (request.method === 'GET')
          return reply(
            200,
            state.issues
              .filter((i) => i.repository === repository)
              .map(view)
              .reverse(),
          );
        return notFound();
      }
      const issue = state.issues.find((i) => i.repository === repository && i.number === Number(number));
      if (!issue) return notFound();
      if (comments) {
        if (request.method === 'GET')
          return reply(
            200,
            issue.comments.map((c) => ({ id: c.id, body: c.body })),
          );
        if (request.method !== 'POST') return notFound();
        if (typeof body.body !== 'string' || body.body === '') return message(422, 'Invalid request.\n\n"body" wasn\'t supplied.');
        if (body.body.length > 65_536) return invalidField('body', 'body is too long (maximum is 65536 characters)');
        const comment = { id: ++commentIds, body: body.body };
        issue.comments.push(comment);
        return reply(201, { ...comment, html_url: `${issue.html_url}#issuecomment-${comment.id}` });
      }
      if (request.method === 'GET') return reply(200, view(issue));
      if (request.method === 'PATCH') return edit(issue, body);
      return notFound();
    },
  };
}
