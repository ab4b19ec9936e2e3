/** What every fake service sees and answers: one parsed HTTP request, one response. */

/** A request as a fake service sees it. */
export interface FakeRequest {
  /** The real host the client called (`slack.com`, `acme.atlassian.net`). */
  readonly host: string;
  readonly method: string;
  /** The path on that host, without the query. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when sent as JSON; form fields (an object) when form-encoded; the raw text otherwise; undefined when empty. */
  readonly body: unknown;
  /** The body was declared JSON (`content-type: application/json`). */
  readonly json: boolean;
  /** The body was declared JSON and did not parse. */
  readonly malformed: boolean;
}

/** A fake service's answer: `body` is sent as JSON, `text` as plain text, neither as an empty body. */
export interface FakeResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One emulated service: its kept state, its handler, and the body it answers an injected fault with. */
export interface ServiceFake<State> {
  readonly state: State;
  handle(request: FakeRequest): FakeResponse;
  /** Back to no state (in place: references to the state's arrays stay valid). */
  reset(): void;
  /** The error body the real service sends with this status (rate limiting, server errors). */
  faultBody(status: number): unknown;
}

export const reply = (status: number, body?: unknown): FakeResponse => ({ status, ...(body === undefined ? {} : { body }) });

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** Empties a kept record in place. */
export function emptyRecord(record: Record<string, unknown>): void {
  for (const key of Object.keys(record)) delete record[key];
}
