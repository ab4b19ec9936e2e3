import { isObject, reply, type FakeRequest, type FakeResponse, type ServiceFake } from './wire';

/**
 * The issues of the Jira Cloud REST API v3 (`/rest/api/3/issue[/:key[/comment|/transitions]]`) on any
 * `<site>.atlassian.net`, as Jira answers them: 401 without the basic auth of `email:token`, 415 for a body that
 * is not JSON, 400 `{ errorMessages, errors }` for an invalid field (descriptions and comments must be Atlassian
 * Document Format), 404 for an unknown issue, and a workflow whose transitions change the issue's status.
 */

/** A transition of the workflow: offered when the issue is in one of `from` (default: any status but `to`). */
export interface FakeJiraTransition {
  readonly id: string;
  readonly name: string;
  readonly to: string;
  readonly from?: readonly string[];
}

export interface FakeJiraComment {
  readonly id: string;
  /** As sent (ADF). */
  readonly body: unknown;
  /** Its plain text (paragraphs separated by a blank line). */
  readonly text: string;
}

export interface FakeJiraIssue {
  readonly id: string;
  readonly key: string;
  /** `acme` of acme.atlassian.net */
  readonly site: string;
  readonly project: string;
  readonly summary: string;
  readonly issueType: string;
  readonly labels: string[];
  /** As sent (ADF), or null. */
  readonly description: unknown;
  readonly descriptionText: string;
  status: string;
  readonly comments: FakeJiraComment[];
  /** Ids of the transitions applied, in order. */
  readonly transitions: string[];
}

export interface FakeJiraState {
  /** Every site's issues, in creation order. */
  readonly issues: FakeJiraIssue[];
}

export interface FakeJiraOptions {
  /** Project keys that exist. @default any key */
  readonly projects?: readonly string[];
  /** @default ['Task', 'Bug', 'Story', 'Incident'] */
  readonly issueTypes?: readonly string[];
  /** The workflow. @default Jira's simplified workflow: 11 To Do, 21 In Progress, 31 Done, each from any other status */
  readonly transitions?: readonly FakeJiraTransition[];
}

export const DEFAULT_JIRA_TRANSITIONS: readonly FakeJiraTransition[] = [
  { id: '11', name: 'To Do', to: 'To Do' },
  { id: '21', name: 'In Progress', to: 'In Progress' },
  { id: '31', name: 'Done', to: 'Done' },
];

/** The plain text of an ADF document: paragraphs separated by a blank line, hard breaks as line breaks. */
export function adfText(node: unknown): string {
  if (!isObject(node)) return '';
  if (node.type === 'text') return typeof node.text === 'string' ? node.text : '';
  if (node.type === 'hardBreak') return '\n';
  const children = Array.isArray(node.content) ? node.content.map(adfText) : [];
  return children.join(node.type === 'doc' ? '\n\n' : '');
}

/** Why a value is not an ADF document Jira would take, or undefined. */
function adfProblem(value: unknown): string | undefined {
  if (!isObject(value) || value.type !== 'doc' || value.version !== 1 || !Array.isArray(value.content))
    return 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
  const check = (node: unknown): string | undefined => {
    if (!isObject(node) || typeof node.type !== 'string') return 'INVALID_INPUT';
    if (node.type === 'text' && (typeof node.text !== 'string' || node.text === '')) return 'INVALID_INPUT: a text node must have non-empty text';
    if (node.marks !== undefined && (!Array.isArray(node.marks) || node.marks.some((m) => !isObject(m) || typeof m.type !== 'string'))) return 'INVALID_INPUT';
    if (node.content !== undefined && !Array.isArray(node.content)) return 'INVALID_INPUT';
    return ((node.content as unknown[] | undefined) ?? []).map(check).find((p) => p !== undefined);
  };
  return value.content.map(check).find((p) => p !== undefined);
}

export function jiraFake(credentials: string, options: FakeJiraOptions = {}): ServiceFake<FakeJiraState> {
  const state: FakeJiraState = { issues: [] };
  const workflow = options.transitions ?? DEFAULT_JIRA_TRANSITIONS;
  const issueTypes = options.issueTypes ?? ['Task', 'Bug', 'Story', 'Incident'];
  const expected = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  let ids = 0;
  const errors = (status: number, errorMessages: string[], fieldErrors: Record<string, string> = {}) => reply(status, { errorMessages, errors: fieldErrors });
  const offered = (issue: FakeJiraIssue) => workflow.filter((t) => (t.from ? t.from.includes(issue.status) : t.to !== issue.status));
  const category = (status: string) => (status === 'Done' ? 'done' : status === 'To Do' ? 'new' : 'indeterminate');

  function create(site: string, request: FakeRequest, body: Record<string, unknown>): FakeResponse {
    const fields = body.fields;
    if (!isObject(fields)) return errors(400, ["Field 'fields' is required."]);
    const problems: Record<string, string> = {};
    const project = isObject(fields.project) ? fields.project.key : undefined;
    if (typeof project !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(project) || (options.projects && !options.projects.includes(project)))
      problems.project = 'valid project is required';
    const summary = fields.summary;
    if (typeof summary !== 'string' || summary.trim() === '') problems.summary = 'You must specify a summary of the issue.';
    else if (summary.length > 255) problems.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(summary)) problems.summary = 'The summary is invalid because it contains newline characters.';
    const issueType = isObject(fields.issuetype) ? fields.issuetype.name : undefined;
    if (typeof issueType !== 'string') problems.issuetype = 'Specify an issue type';
    else if (!issueTypes.includes(issueType)) problems.issuetype = 'Specify a valid issue type';
    const labels = fields.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || l === '')) problems.labels = 'Labels must be an array of non-empty strings.';
    else {
      const spaced = labels.find((l) => /\s/.test(l as string));
      if (spaced !== undefined) problems.labels = `The label '${String(spaced)}' contains spaces which is invalid.`;
    }
    const description = fields.description ?? null;
    const descriptionProblem = description === null ? undefined : adfProblem(description);
    if (descriptionProblem) problems.description = descriptionProblem;
    if (Object.keys(problems).length) return errors(400, [], problems);

    const number = state.issues.filter((i) => i.site === site && i.project === project).length + 1;
    const issue: FakeJiraIssue = {
      id: String(10_000 + ++ids),
      key: `${project as string}-${number}`,
      site,
      project: project as string,
      summary: summary as string,
      issueType: issueType as string,
      labels: [...(labels as string[])],
      description,
      descriptionText: adfText(description),
      status: 'To Do',
      comments: [],
      transitions: [],
    };
    state.issues.push(issue);
    return reply(201, { id: issue.id, key: issue.key, self: `https://${request.host}/rest/api/3/issue/${issue.id}` });
  }

  function view(issue: FakeJiraIssue, host: string): Record<string, unknown> {
    return {
      id: issue.id,
      key: issue.key,
      self: `https://${host}/rest/api/3/issue/${issue.id}`,
      fields: {
        summary: issue.summary,
        issuetype: { name: issue.issueType },
        project: { key: issue.project },
        labels: issue.labels,
        description: issue.description,
        status: { name: issue.status, statusCategory: { key: category(issue.status) } },
        comment: { total: issue.comments.length },
      },
    };
  }

  return {
    state,
    reset: () => {
      state.issues.length = 0;
      ids = 0;
    },
    faultBody: (status) => ({ errorMessages: [status === 429 ? 'Rate limit exceeded.' : 'Internal server error'], errors: {} }),
    handle(request) {
      const site = request.host.replace(/\.atlassian\.net$/, '');
      const match = /^\/rest\/api\/3\/issue(?:\/([^/]+)(?:\/(comment|transitions))?)?\/?$/.exec(request.pathname);
      if (request.headers.authorization !== expected) return errors(401, ['You are not authenticated. Authentication required to perform this operation.']);
      if (!match) return errors(404, ['No resource found for this path.']);
      if (request.method !== 'GET' && request.body !== undefined && !request.json) return { status: 415, text: 'Unsupported Media Type' };
      if (request.malformed) return errors(400, ['Unexpected character in the request body: it is not valid JSON.']);
      const [, key, sub] = match as unknown as [string, string | undefined, string | undefined];
      const body = isObject(request.body) ? request.body : {};
      if (key === undefined) return request.method === 'POST' ? create(site, request, body) : { status: 405, text: 'Method Not Allowed' };

      const issue = state.issues.find((i) => i.site === site && (i.key === key || i.id === key));
      if (!issue) return errors(404, ['Issue does not exist or you do not have permission to see it.']);
      if (sub === undefined) return request.method === 'GET' ? reply(200, view(issue, request.host)) : { status: 405, text: 'Method Not Allowed' };
      if (sub === 'comment') {
        if (request.method === 'GET') return reply(200, { total: issue.comments.length, comments: issue.comments.map((c) => ({ id: c.id, body: c.body })) });
        if (request.method !== 'POST') return { status: 405, text: 'Method Not Allowed' };
        if (body.body === undefined || (isObject(body.body) && Array.isArray(body.body.content) && body.body.content.length === 0))
          return errors(400, ['Comment body can not be empty!']);
        const problem = adfProblem(body.body);
        if (problem) return errors(400, [], { comment: problem });
        const comment = { id: String(20_000 + ++ids), body: body.body, text: adfText(body.body) };
        issue.comments.push(comment);
        return reply(201, {
          id: comment.id,
          self: `https://${request.host}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
          body: comment.body,
          created: new Date().toISOString(),
        });
      }
      if (request.method === 'GET') {
        return reply(200, {
          expand: 'transitions',
          transitions: offered(issue).map((t) => ({
            id: t.id,
            name: t.name,
            to: { name: t.to, statusCategory: { key: category(t.to) } },
            hasScreen: false,
            isGlobal: t.from === undefined,
            isAvailable: true,
          })),
        });
      }
      if (request.method !== 'POST') return { status: 405, text: 'Method Not Allowed' };
      const id = isObject(body.transition) ? body.transition.id : undefined;
      if (typeof id !== 'string' && typeof id !== 'number') return errors(400, ["Missing 'transition' identifier"]);
      const transition = offered(issue).find((t) => t.id === String(id));
      if (!transition) return errors(400, [`Transition id '${String(id)}' is not valid for this issue.`]);
      issue.status = transition.to;
      issue.transitions.push(transition.id);
      return { status: 204 };
    },
  };
}
