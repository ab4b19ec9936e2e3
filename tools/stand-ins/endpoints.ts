import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { HttpRuntime } from '../../lambdas/integrations/http';
import { gitHubFake, type FakeGitHubOptions, type FakeGitHubState } from './github';
import { jiraFake, type FakeJiraOptions, type FakeJiraState } from './jira';
import { pagerDutyFake, type FakePagerDutyState } from './pagerduty';
import { slackFake, type FakeSlackOptions, type FakeSlackState } from './slack';
import { statusPageFake, type FakeStatusPageOptions, type FakeStatusPageState } from './statuspage';
import type { FakeResponse, ServiceFake } from './wire';

/**
 * One loopback server that answers like the collaboration integrations' real endpoints (Slack Web API,
 * Statuspage, GitHub Issues, Jira Cloud, PagerDuty Events v2): each validates the method, path, credentials and
 * payload, keeps what was created, and answers with the real success and error shapes. Clients reach it through
 * `fake.fetch`, which sends `https://<host>/<path>` to `http://127.0.0.1:<port>/<host>/<path>`, so configs keep
 * their real https defaults; any other URL fails like an unknown host (nothing leaves the machine).
 *
 * ```ts
 * const fake = await startFakeEndpoints();            // default tokens: fake.tokens
 * after(() => fake.stop());
 * const http = { policy: { attempts: 3 }, runtime: fake.runtime() };
 * const slack = slackClient(config.integrations.slack!, fake.tokens.slack, http);
 * fake.fail('slack', { status: 503, times: 1 });       // the next Slack call answers 503
 * await slack.post(channel.id, 'hello');              // retried, then ok
 * fake.requestsTo('slack').map((r) => r.status);      // [503, 200]
 * fake.state.slack.channels[0]!.messages;             // [{ ts, text: 'hello', ... }]
 * ```
 *
 * The drill (`npm run demo`) shows its incident channel, status page and PagerDuty alert from it; in a test
 * file, `useFakeEndpoints()` (test/support/fake-endpoints.ts) does the starting, stopping and clearing.
 *
 * Per-service details are in the files next to this one.
 */

export type FakeService = 'slack' | 'statuspage' | 'github' | 'jira' | 'pagerduty';

/** The credentials each fake service accepts (any other is refused the way the real service refuses it). */
export interface FakeTokens {
  /** Bot token, as `Authorization: Bearer <token>`. */
  readonly slack: string;
  /** API key, as `Authorization: OAuth <key>`. */
  readonly statuspage: string;
  /** Token, as `Authorization: Bearer <token>` (or `token <token>`). */
  readonly github: string;
  /** `<email>:<api token>`, as `Authorization: Basic base64(...)`. */
  readonly jira: string;
  /** Routing key of 32 characters, as `routing_key` in the event. */
  readonly pagerduty: string;
}

export const DEFAULT_FAKE_TOKENS: FakeTokens = {
  slack: 'xoxb-fake-0000-slack-bot-token',
  statuspage: 'fake-statuspage-api-key-0000',
  github: 'github_pat_fake_0000_token',
  jira: 'oncall@example.com:fake-jira-api-token-0000',
  pagerduty: 'fakepagerdutyroutingkey000000001',
};

/** One request the fake received, in arrival order. */
export interface RecordedRequest {
  readonly service: FakeService;
  /** The real host called: `slack.com`, `acme.atlassian.net`, `events.eu.pagerduty.com`... */
  readonly host: string;
  readonly method: string;
  /** The path on the real host, with the query: `/api/chat.postMessage`, `/v1/pages/p/incidents`. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON (form fields as an object, other text as is); undefined when empty. */
  readonly body: unknown;
  /** The status the fake answered; undefined for a network fault (reset, hang). */
  readonly status: number | undefined;
}

/**
 * What the next requests to a service meet instead of the service: an HTTP error (with the service's own error
 * body unless `body` is given, and `Retry-After` when set) or a network failure (`reset`: the connection is
 * dropped; `hang`: no answer, the client's timeout fires). Faults queue in order; each applies to `times`
 * requests (@default every request, for ever) before the next one, or the service, answers.
 */
export type Fault =
  | { readonly status: number; readonly times?: number; readonly retryAfter?: string; readonly body?: unknown }
  | { readonly network: 'reset' | 'hang'; readonly times?: number };

export interface FakeEndpointsOptions {
  /** @default DEFAULT_FAKE_TOKENS */
  readonly tokens?: Partial<FakeTokens>;
  /** User groups and their members. */
  readonly slack?: FakeSlackOptions;
  /** Pages the key may use. @default any */
  readonly statuspage?: FakeStatusPageOptions;
  /** Repositories the token may use. @default any */
  readonly github?: FakeGitHubOptions;
  /** Projects, issue types, workflow. @default any project, Jira's simplified workflow (11 To Do, 21 In Progress, 31 Done) */
  readonly jira?: FakeJiraOptions;
}

/** What each service keeps; tests read it (and may seed it: a taken channel name, a user group). */
export interface FakeState {
  readonly slack: FakeSlackState;
  readonly statuspage: FakeStatusPageState;
  readonly github: FakeGitHubState;
  readonly jira: FakeJiraState;
  readonly pagerduty: FakePagerDutyState;
}

/** An HttpRuntime whose fetch reaches the fake and whose sleep does not wait: it records and advances a fake clock. */
export interface FakeRuntime extends HttpRuntime {
  /** Every wait asked for (backoff, Retry-After), in ms. */
  readonly slept: number[];
}

export interface FakeEndpoints {
  /** A fetch for the real https URLs of the services, answered by the fake. */
  readonly fetch: typeof fetch;
  readonly tokens: FakeTokens;
  /** Every request, in arrival order (faulted ones included). */
  readonly requests: readonly RecordedRequest[];
  requestsTo(service: FakeService): RecordedRequest[];
  readonly state: FakeState;
  /** Queues a fault for the service's next requests. */
  fail(service: FakeService, fault: Fault): void;
  /** `all` (@default): no requests, faults or state (the state objects stay the same, emptied); `requests`: only forget the requests. */
  clear(what?: 'all' | 'requests'): void;
  /** A new runtime with its own fake clock (starting now). */
  runtime(): FakeRuntime;
  /** `http://127.0.0.1:<port>`, for a look with curl. */
  readonly origin: string;
  stop(): Promise<void>;
}

/** The service behind a real host, if the fake emulates it. */
export function serviceOf(host: string): FakeService | undefined {
  if (host === 'slack.com') return 'slack';
  if (host === 'api.statuspage.io') return 'statuspage';
  if (host === 'api.github.com') return 'github';
  if (/^[a-z0-9][a-z0-9-]*\.atlassian\.net$/.test(host)) return 'jira';
  if (host === 'events.pagerduty.com' || host === 'events.eu.pagerduty.com') return 'pagerduty';
  return undefined;
}

/** Starts the fake on a free loopback port. */
export async function startFakeEndpoints(options: FakeEndpointsOptions = {}): Promise<FakeEndpoints> {
  const tokens: FakeTokens = { ...DEFAULT_FAKE_TOKENS, ...options.tokens };
  const services: { readonly [S in FakeService]: ServiceFake<FakeState[S]> } = {
    slack: slackFake(tokens.slack, options.slack),
    statuspage: statusPageFake(tokens.statuspage, options.statuspage),
    github: gitHubFake(tokens.github, options.github),
    jira: jiraFake(tokens.jira, options.jira),
    pagerduty: pagerDutyFake(tokens.pagerduty),
  };
  const requests: RecordedRequest[] = [];
  const faults: Record<FakeService, { fault: Fault; left: number }[]> = { slack: [], statuspage: [], github: [], jira: [], pagerduty: [] };

  function nextFault(service: FakeService): Fault | undefined {
    const head = faults[service][0];
    if (!head) return undefined;
    if (--head.left <= 0) faults[service].shift();
    return head.fault;
  }

  function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const [, host = '', ...rest] = url.pathname.split('/');
    const service = serviceOf(host);
    if (!service) return void res.writeHead(404, { 'content-type': 'text/plain' }).end(`no fake for host ${host}`);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
    const contentType = headers['content-type'] ?? '';
    const json = /[/+]json\b/i.test(contentType);
    let body: unknown;
    let malformed = false;
    if (raw !== '') {
      if (json) {
        try {
          body = JSON.parse(raw) as unknown;
        } catch {
          body = raw;
          malformed = true;
        }
      } else body = /x-www-form-urlencoded/i.test(contentType) ? Object.fromEntries(new URLSearchParams(raw)) : raw;
    }
    const pathname = `/${rest.join('/')}`;
    const record: { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] } = {
      service,
      host,
      method: req.method ?? 'GET',
      path: pathname + url.search,
      headers,
      body,
      status: undefined,
    };
    requests.push(record);

    const fault = nextFault(service);
    let response: FakeResponse;
    if (fault && 'network' in fault) {
      if (fault.network === 'reset') req.socket.destroy();
      return; // hang: the client's timeout ends it (stop() closes what is left)
    } else if (fault) {
      response = {
        status: fault.status,
        body: fault.body ?? services[service].faultBody(fault.status),
        ...(fault.retryAfter === undefined ? {} : { headers: { 'retry-after': fault.retryAfter } }),
      };
    } else {
      try {
        response = services[service].handle({ host, method: record.method, pathname, query: url.searchParams, headers, body, json, malformed });
      } catch (error) {
        // A bug of the fake must not look like a service answer a client could be right to accept.
        response = { status: 599, text: `fake ${service} failed: ${(error as Error).stack ?? String(error)}` };
      }
    }
    record.status = response.status;
    const payload = response.text ?? (response.body === undefined ? '' : JSON.stringify(response.body));
    const type = response.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    res.writeHead(response.status, { ...(payload === '' ? {} : { 'content-type': type }), ...response.headers }).end(payload);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== 'https:' || serviceOf(url.hostname) === undefined) {
      // What fetch does for a host that does not resolve: call() reports it as a network error.
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: 'ENOTFOUND' }) });
    }
    const target = `${origin}/${url.hostname}${url.pathname}${url.search}`;
    return input instanceof Request ? fetch(new Request(target, input), init) : fetch(target, init);
  };

  return {
    fetch: fakeFetch,
    tokens,
    requests,
    requestsTo: (service) => requests.filter((r) => r.service === service),
    state: {
      slack: services.slack.state,
      statuspage: services.statuspage.state,
      github: services.github.state,
      jira: services.jira.state,
      pagerduty: services.pagerduty.state,
    },
    fail(service, fault) {
      const times = fault.times ?? Infinity;
      if (!(times >= 1) || (times !== Infinity && !Number.isInteger(times)))
        throw new RangeError(`fault times must be a whole number >= 1, not ${fault.times}`);
      if ('status' in fault && !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599))
        throw new RangeError(`a fault's status must be 400-599, not ${fault.status}`);
      if ('network' in fault && fault.network !== 'reset' && fault.network !== 'hang') throw new RangeError(`unknown network fault ${String(fault.network)}`);
      faults[service].push({ fault, left: times });
    },
    clear(what = 'all') {
      requests.length = 0;
      if (what === 'requests') return;
      for (const service of Object.keys(faults) as FakeService[]) {
        faults[service].length = 0;
        services[service].reset();
      }
    },
    runtime() {
      const slept: number[] = [];
      let clock = Date.now();
      return {
        slept,
        fetch: fakeFetch,
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
        now: () => clock,
      };
    },
    origin,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
