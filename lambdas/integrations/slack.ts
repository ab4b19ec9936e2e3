import type { SlackConfig } from '../../lib/core/config/integrations';
import { call, IntegrationError } from './http';
import { truncate } from './text';
import type { Http } from './transport';

/**
 * The Slack Web API calls of an incident channel: create it, invite on-call, post to it. Slack answers most
 * failures with HTTP 200 and `{ ok: false, error }`; those become IntegrationError too, naming the method and
 * Slack's error code, never the token.
 */

/** A channel created for an incident. */
export interface SlackChannel {
  readonly id: string;
  readonly name: string;
}

/** The Slack calls of the collaboration integration. */
export interface SlackClient {
  /**
   * Creates `baseName` (normalised to a valid channel name), or `baseName-2` ... `baseName-20` when the name is
   * taken (an earlier incident of the same day, or a human's channel).
   */
  createChannel(baseName: string): Promise<SlackChannel>;
  /**
   * Invites `inviteUsers` and the members of `inviteUserGroup`; returns who is now in the channel: invited, or
   * already there. Users Slack refuses (deactivated, unknown) are left out rather than failing everyone.
   */
  invite(channelId: string): Promise<string[]>;
  /** Posts mrkdwn `text` (cut at Slack's 40,000 characters), without link previews. */
  post(channelId: string, text: string): Promise<{ ts: string }>;
}

/** Slack's limits. */
const MAX_NAME = 80;
const MAX_SUFFIX = 20;
const MAX_TEXT = 40_000;
const MAX_INVITES = 1000;

/** What a Web API method answered: `ok`, or Slack's error code. */
interface Answer {
  readonly ok: boolean;
  readonly error: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
  readonly attempts: number;
}

/** The Slack client of a bot token. */
export function slackClient(config: SlackConfig, token: string, http: Http): SlackClient {
  const apiUrl = config.apiUrl.replace(/\/+$/, '');

  async function api(method: string, args: Record<string, string | boolean>, verb: 'GET' | 'POST' = 'POST'): Promise<Answer> {
    const query = new URLSearchParams(Object.entries(args).map(([k, v]): [string, string] => [k, String(v)]));
    const request = {
      method: verb,
      url: verb === 'GET' ? `${apiUrl}/${method}?${query}` : `${apiUrl}/${method}`,
      headers: { authorization: `Bearer ${token}` },
      ...(verb === 'POST' ? { json: args } : {}),
    };
    const response = await call('slack', request, http.policy, http.runtime).catch((error: unknown) => {
      // Named with the method ("slack: conversations.create: HTTP 500 ..."): the timeline says which step failed.
      throw error instanceof IntegrationError ? new IntegrationError('slack', error.status, error.attempts, `${method}: ${error.detail}`) : error;
    });
    const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<string, unknown>;
    // Slack's error codes are snake_case words; anything else (an HTML error page) is not repeated.
    const error = typeof body.error === 'string' && /^[\w.-]{1,100}$/.test(body.error) ? body.error : 'unexpected answer';
    return { ok: body.ok === true, error, body, status: response.status, attempts: response.attempts };
  }

  const failure = (method: string, answer: Answer, detail = answer.error) =>
    new IntegrationError('slack', answer.status, answer.attempts, `${method}: ${detail}`);

  return {
    async createChannel(baseName) {
      let taken: Answer | undefined;
      for (let n = 1; n <= MAX_SUFFIX; n++) {
        const name = channelName(baseName, n === 1 ? '' : `-${n}`);
        const answer = await api('conversations.create', { name, is_private: config.privateChannels });
        if (answer.ok) {
          const channel = answer.body.channel as { id?: unknown; name?: unknown } | undefined;
          if (typeof channel?.id !== 'string') throw failure('conversations.create', answer, 'answer without a channel id');
          return { id: channel.id, name: typeof channel.name === 'string' ? channel.name : name };
        }
        if (answer.error !== 'name_taken') throw failure('conversations.create', answer);
        taken = answer;
      }
      throw failure('conversations.create', taken!, `name_taken (${channelName(baseName, '')} and -2 to -${MAX_SUFFIX} all exist)`);
    },

    async invite(channelId) {
      const users = [...config.inviteUsers];
      if (config.inviteUserGroup !== undefined) {
        const answer = await api('usergroups.users.list', { usergroup: config.inviteUserGroup }, 'GET');
        if (!answer.ok) throw failure('usergroups.users.list', answer);
        const members = answer.body.users;
        if (Array.isArray(members)) users.push(...members.filter((u): u is string => typeof u === 'string'));
      }
      const everyone = [...new Set(users)];
      const inChannel: string[] = [];
      for (let i = 0; i < everyone.length; i += MAX_INVITES) {
        const batch = everyone.slice(i, i + MAX_INVITES);
        // force: one deactivated or unknown user must not keep the rest of on-call out of the channel.
        const answer = await api('conversations.invite', { channel: channelId, users: batch.join(','), force: true });
        if (!answer.ok && answer.error !== 'already_in_channel') throw failure('conversations.invite', answer);
        const refused = new Set(
          (Array.isArray(answer.body.errors) ? (answer.body.errors as { user?: unknown; error?: unknown }[]) : [])
            .filter((e) => e.error !== 'already_in_channel' && typeof e.user === 'string')
            .map((e) => e.user as string),
        );
        inChannel.push(...batch.filter((u) => !refused.has(u)));
      }
      return inChannel;
    },

    async post(channelId, text) {
      const answer = await api('chat.postMessage', { channel: channelId, text: truncate(text, MAX_TEXT), unfurl_links: false, unfurl_media: false });
      if (!answer.ok) throw failure('chat.postMessage', answer);
      if (typeof answer.body.ts !== 'string') throw failure('chat.postMessage', answer, 'answer without a ts');
      return { ts: answer.body.ts };
    },
  };
}

/**
 * A valid Slack channel name: lower case letters, digits, `-` and `_`, at most 80 characters with the suffix
 * (anything else becomes `-`; Slack refuses the whole name otherwise).
 */
export function channelName(baseName: string, suffix: string): string {
  const base =
    baseName
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-_]+|-+$/g, '') || 'incident';
  return `${base.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
}
