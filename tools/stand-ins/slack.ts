import { isObject, reply, type FakeResponse, type ServiceFake } from './wire';

/**
 * The Slack Web API methods the incident channel uses, as Slack answers them: HTTP 200 with `{ ok: true, ... }`
 * or `{ ok: false, error }` (auth errors included), arguments as JSON, form fields or query.
 */

export interface FakeSlackMessage {
  readonly ts: string;
  readonly text: string;
  readonly unfurl_links?: unknown;
  readonly unfurl_media?: unknown;
}

export interface FakeSlackChannel {
  readonly id: string;
  readonly name: string;
  readonly is_private: boolean;
  readonly created: number;
  /** The bot first, then whoever was invited, in order. */
  readonly members: string[];
  readonly messages: FakeSlackMessage[];
}

export interface FakeSlackState {
  /** Channels in creation order; a test may push one to make its name taken. */
  readonly channels: FakeSlackChannel[];
  /** Members by user group id (`S...`); a test may edit them. */
  readonly userGroups: Record<string, string[]>;
  /** The bot user the token belongs to: the creator and first member of the channels it creates. */
  readonly botUserId: string;
}

export interface FakeSlackOptions {
  /** Members by user group id. @default {} */
  readonly userGroups?: Readonly<Record<string, readonly string[]>>;
}

const USER = /^[UW][A-Z0-9]{2,}$/;
const BOT = 'UFAKEBOT01';

export function slackFake(token: string, options: FakeSlackOptions = {}): ServiceFake<FakeSlackState> {
  const state: FakeSlackState = { channels: [], userGroups: {}, botUserId: BOT };
  let sequence = 0;
  const reset = () => {
    state.channels.length = 0;
    for (const key of Object.keys(state.userGroups)) delete state.userGroups[key];
    for (const [id, members] of Object.entries(options.userGroups ?? {})) state.userGroups[id] = [...members];
    sequence = 0;
  };
  reset();

  const ok = (fields: Record<string, unknown> = {}) => reply(200, { ok: true, ...fields });
  const error = (code: string, fields: Record<string, unknown> = {}) => reply(200, { ok: false, error: code, ...fields });
  const channel = (id: unknown) => state.channels.find((c) => c.id === id);
  const truthy = (value: unknown) => value === true || value === 'true' || value === '1' || value === 1;

  const methods: Record<string, (args: Record<string, unknown>) => FakeResponse> = {
    'conversations.create'(args) {
      const name = args.name;
      if (typeof name !== 'string' || name === '') return error('invalid_name_required');
      if (name.length > 80) return error('invalid_name_maxlength');
      if (/[^a-z0-9_-]/.test(name)) return error('invalid_name_specials');
      if (/^[-_]+$/.test(name)) return error('invalid_name_punctuation');
      if (state.channels.some((c) => c.name === name)) return error('name_taken');
      const created: FakeSlackChannel = {
        id: `C${String(++sequence).padStart(9, '0')}`,
        name,
        is_private: truthy(args.is_private),
        created: Math.floor(Date.now() / 1000),
        members: [BOT],
        messages: [],
      };
      state.channels.push(created);
      return ok({
        channel: {
          id: created.id,
          name,
          is_channel: true,
          is_group: false,
          is_private: created.is_private,
          created: created.created,
          creator: BOT,
          is_archived: false,
          is_member: true,
        },
      });
    },

    'conversations.invite'(args) {
      const target = channel(args.channel);
      if (!target) return error('channel_not_found');
      if (!target.members.includes(BOT)) return error('not_in_channel');
      const users =
        typeof args.users === 'string'
          ? args.users
              .split(',')
              .map((u) => u.trim())
              .filter((u) => u !== '')
          : [];
      if (users.length === 0) return error('no_user');
      if (users.length > 1000) return error('too_many_users');
      const refused: { user: string; ok: false; error: string }[] = [];
      const valid: string[] = [];
      for (const user of users) {
        const problem = !USER.test(user)
          ? 'user_not_found'
          : user === BOT
            ? 'cant_invite_self'
            : target.members.includes(user)
              ? 'already_in_channel'
              : undefined;
        if (problem) refused.push({ user, ok: false, error: problem });
        else valid.push(user);
      }
      // Without force one bad user fails everyone; with force the valid ones join and the rest are reported.
      if (refused.length > 0 && (!truthy(args.force) || valid.length === 0)) return error(refused[0]!.error, { errors: refused });
      target.members.push(...valid.filter((u) => !target.members.includes(u)));
      return ok({ channel: { id: target.id, name: target.name }, ...(refused.length ? { errors: refused } : {}) });
    },

    'chat.postMessage'(args) {
      const target = channel(args.channel);
      if (!target) return error('channel_not_found');
      if (!target.members.includes(BOT)) return error('not_in_channel');
      const text = args.text;
      if (typeof text !== 'string' || text === '') return args.blocks || args.attachments ? error('invalid_arguments') : error('no_text');
      if (text.length > 40_000) return error('msg_too_long');
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
      target.messages.push({ ts, text, unfurl_links: args.unfurl_links, unfurl_media: args.unfurl_media });
      return ok({ channel: target.id, ts, message: { type: 'message', user: BOT, text, ts } });
    },

    'usergroups.users.list'(args) {
      if (typeof args.usergroup !== 'string' || args.usergroup === '') return error('invalid_arguments');
      const members = state.userGroups[args.usergroup];
      return members ? ok({ users: [...members] }) : error('no_such_subteam');
    },
  };

  return {
    state,
    reset,
    faultBody: (status) => ({ ok: false, error: status === 429 ? 'ratelimited' : status === 503 ? 'service_unavailable' : 'internal_error' }),
    handle(request) {
      const method = /^\/api\/([a-zA-Z.]+)$/.exec(request.pathname)?.[1];
      if (!method) return { status: 404, text: 'Not Found' };
      const handler = methods[method];
      if (!handler) return reply(404, { ok: false, error: 'unknown_method', req_method: method });
      if (request.method !== 'POST' && request.method !== 'GET') return error('method_not_supported');
      if (request.malformed) return error('invalid_json');
      const args: Record<string, unknown> = { ...Object.fromEntries(request.query), ...(isObject(request.body) ? request.body : {}) };
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
      if (bearer === undefined) return error('not_authed');
      if (bearer !== token) return error('invalid_auth');
      return handler(args);
    },
  };
}
