import type { JiraConfig } from '../../lib/core/config/integrations';
import { adf } from './adf';
import { call, IntegrationError, type HttpRequest } from './http';
import { truncate } from './text';
import type { TicketRef, TicketTracker } from './tickets';
import type { Http } from './transport';

/** Jira's limits: a summary is one line of at most 255 characters; text fields hold 32,767. */
const MAX_SUMMARY = 255;
const MAX_TEXT = 32_000;

/**
 * Jira Cloud (REST API v3) issues of `config.projectKey`, with basic auth of `<email>:<api token>`.
 * @throws IntegrationError at once when the credentials are not `<email>:<api token>`; the message never repeats them
 */
export function jiraTracker(config: JiraConfig, credentials: string, http: Http): TicketTracker {
  const colon = credentials.indexOf(':');
  if (colon < 1 || colon === credentials.length - 1) throw new IntegrationError('jira', undefined, 0, 'the credentials secret must be "<email>:<api token>"');
  const site = config.baseUrl.replace(/\/+$/, '');
  const api = `${site}/rest/api/3`;
  const headers = { authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`, accept: 'application/json' };
  const send = (method: HttpRequest['method'], url: string, json?: unknown) =>
    call('jira', { method, url, headers, ...(json === undefined ? {} : { json }) }, http.policy, http.runtime);
  const issue = (ref: TicketRef) => `${api}/issue/${encodeURIComponent(ref.key)}`;
  const comment = async (ref: TicketRef, body: string) => {
    await send('POST', `${issue(ref)}/comment`, { body: adf(truncate(body, MAX_TEXT)) });
  };

  /**
   * Moves the issue through `transitionId` when the workflow offers it from the issue's status: not offered means
   * a human already moved it there (closed by hand, reopened by hand), which is not an error.
   */
  async function transition(ref: TicketRef, transitionId: string | undefined): Promise<boolean> {
    if (transitionId === undefined) return false;
    const offered = (await send('GET', `${issue(ref)}/transitions`)).body as { transitions?: { id?: unknown }[] } | undefined;
    if (!offered?.transitions?.some((t) => t.id === transitionId)) return false;
    await send('POST', `${issue(ref)}/transitions`, { transition: { id: transitionId } });
    return true;
  }

  return {
    provider: 'jira',
    async open({ title, body }) {
      const fields = {
        project: { key: config.projectKey },
        // One line: Jira refuses a summary with line breaks.
        summary: truncate(title.replace(/\s+/g, ' ').trim(), MAX_SUMMARY, '…'),
        issuetype: { name: config.issueType },
        // Jira refuses labels with spaces.
        labels: config.labels.map((label) => label.trim().replace(/\s+/g, '-')),
        ...(body.trim() === '' ? {} : { description: adf(truncate(body, MAX_TEXT)) }),
      };
      const response = await send('POST', `${api}/issue`, { fields });
      const key = (response.body as { key?: unknown } | undefined)?.key;
      if (typeof key !== 'string') throw new IntegrationError('jira', response.status, response.attempts, 'issue created without a key in the answer');
      return { key, url: `${site}/browse/${key}` };
    },
    comment,
    async close(ref, body) {
      await comment(ref, body);
      return (await transition(ref, config.doneTransitionId)) ? 'closed' : 'commented';
    },
    async reopen(ref, body) {
      const reopened = await transition(ref, config.reopenTransitionId);
      await comment(ref, body);
      return reopened ? 'reopened' : 'commented';
    },
  };
}
