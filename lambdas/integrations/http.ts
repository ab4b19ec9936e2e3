/**
 * Outbound HTTP for the collaboration integrations (chat, status page, tickets, paging). An integration must never
 * block the core: every call has a timeout, bounded retries with exponential backoff and jitter, honours a 429's
 * Retry-After (within the caller's budget), and fails with an error that names the integration and the status,
 * never the URL's secrets or the request's credentials.
 */

/** One call. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly json?: unknown;
}

/** How hard to try. */
export interface RetryPolicy {
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
  /** Including the first. @default 3 */
  readonly attempts?: number;
  /** Backoff base: attempt n waits about base x 2^(n-1), with full jitter. @default 250 */
  readonly baseDelayMs?: number;
  /** The whole call, retries and Retry-After waits included, stops here. @default 15000 */
  readonly budgetMs?: number;
}

/** A response the integration can read. */
export interface HttpResponse {
  readonly status: number;
  readonly body: unknown;
  readonly attempts: number;
}

/** An integration that did not answer usefully; safe to log and to put in a timeline. */
export class IntegrationError extends Error {
  public override readonly name = 'IntegrationError';

  public constructor(
    public readonly integration: string,
    public readonly status: number | undefined,
    public readonly attempts: number,
    /** The message without the integration and the attempts: what a caller adds context to. */
    public readonly detail: string,
  ) {
    super(`${integration}: ${detail} after ${attempts} attempt${attempts === 1 ? '' : 's'}`);
  }
}

/** What the environment provides: fetch and sleep, replaceable by tests (a clock that does not really wait). */
export interface HttpRuntime {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** The real fetch, timers and clock. */
export const REAL_RUNTIME: HttpRuntime = { fetch: (...args) => fetch(...args), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now() };

/**
 * Statuses worth another attempt: rate limiting and server-side trouble. 420 is Statuspage's historical "rate
 * limited" (it announced the move to 429, then kept 420 for existing integrations), with a Retry-After like 429.
 */
const RETRYABLE = new Set([408, 420, 425, 429, 500, 502, 503, 504]);

/**
 * Calls an integration's endpoint. 2xx returns; 4xx other than 408/420/425/429 fails at once (retrying a bad request
 * cannot fix it); 429, 5xx, timeouts and network errors retry within the attempts and the budget.
 * @throws IntegrationError
 */
export async function call(integration: string, request: HttpRequest, policy: RetryPolicy = {}, runtime: HttpRuntime = REAL_RUNTIME): Promise<HttpResponse> {
  const attempts = policy.attempts ?? 3;
  const timeoutMs = policy.timeoutMs ?? 5000;
  const base = policy.baseDelayMs ?? 250;
  const deadline = runtime.now() + (policy.budgetMs ?? 15_000);
  let last = 'no attempt made';
  let lastStatus: number | undefined;

  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = Math.random() * base * 2 ** (attempt - 1);
    try {
      const response = await runtime.fetch(request.url, {
        method: request.method,
        headers: { ...(request.json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...request.headers },
        ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
        signal: AbortSignal.timeout(Math.max(1, Math.min(timeoutMs, deadline - runtime.now()))),
      });
      const body = await readBody(response);
      if (response.ok) return { status: response.status, body, attempts: attempt };
      lastStatus = response.status;
      last = `HTTP ${response.status}${describeError(body)}`;
      if (!RETRYABLE.has(response.status)) throw new IntegrationError(integration, response.status, attempt, last);
      const retryAfter = retryAfterMs(response.headers.get('retry-after'), runtime.now());
      if (retryAfter !== undefined) wait = retryAfter;
    } catch (error) {
      if (error instanceof IntegrationError) throw error;
      lastStatus = undefined;
      last =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `network error (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`;
    }
    if (attempt === attempts || runtime.now() + wait > deadline)
      return fail(integration, lastStatus, attempt, last, runtime.now() + wait > deadline && attempt < attempts);
    await runtime.sleep(wait);
  }
  return fail(integration, lastStatus, attempts, last, false);
}

function fail(integration: string, status: number | undefined, attempts: number, last: string, outOfBudget: boolean): never {
  throw new IntegrationError(integration, status, attempts, outOfBudget ? `${last}; giving up: the next try would exceed the time budget` : last);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 2000);
  }
}

/** A short, safe reason from an error body ({"error": "..."} as Slack and others answer); never the whole body. */
function describeError(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const error = (body as { error?: unknown; message?: unknown }).error ?? (body as { message?: unknown }).message;
  return typeof error === 'string' ? `: ${error.slice(0, 200)}` : '';
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
