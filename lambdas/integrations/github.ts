import type { GitHubConfig } from '../../lib/core/config/integrations';
import { call, IntegrationError, type HttpRequest } from './http';
import { truncate } from './text';
import type { TicketTracker } from './tickets';
import type { Http } from './transport';

/** GitHub's limits on an issue. */
const MAX_TITLE = 256;
const MAX_BODY = 65_536;

/** GitHub Issues (REST API) of `config.repository`, with a token allowed to read and write its issues. */
export function gitHubTracker(config: GitHubConfig, token: string, http: Http): TicketTracker {
  const issues = `${config.apiUrl.replace(/\/+$/, '')}/repos/${config.repository}/issues`;
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    // GitHub refuses requests without a User-Agent (403).
    'user-agent': 'runbook-alerting',
  };
  const send = (method: HttpRequest['method'], url: string, json: unknown) => call('github', { method, url, headers, json }, http.policy, http.runtime);
  const issue = (key: string) => `${issues}/${encodeURIComponent(key)}`;
  const comment = async (key: string, body: string) => {
    await send('POST', `${issue(key)}/comments`, { body: truncate(body, MAX_BODY) });
  };

  return {
    provider: 'github',
    async open({ title, body }) {
      const response = await send('POST', issues, { title: truncate(title, MAX_TITLE, '…'), body: truncate(body, MAX_BODY), labels: config.labels });
      const created = response.body as { number?: unknown; html_url?: unknown } | undefined;
      if (typeof created?.number !== 'number' || typeof created.html_url !== 'string')
        throw new IntegrationError('github', response.status, response.attempts, 'issue created without a number and html_url in the answer');
      return { key: String(created.number), url: created.html_url };
    },
    comment: (ref, body) => comment(ref.key, body),
    async close(ref, body) {
      // The comment first: whoever gets the "closed" notification reads why.
      await comment(ref.key, body);
      await send('PATCH', issue(ref.key), { state: 'closed', state_reason: 'completed' });
      return 'closed';
    },
    async reopen(ref, body) {
      await send('PATCH', issue(ref.key), { state: 'open' });
      await comment(ref.key, body);
      return 'reopened';
    },
  };
}
