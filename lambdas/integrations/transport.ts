import type { HttpRuntime, RetryPolicy } from './http';

/**
 * How an integration client reaches its endpoint: the retry policy (the config's `integrations.http`) and, when
 * not the real one, the runtime (tests: a fetch that reaches a fake and a clock that does not really wait; the
 * collaboration function: a runtime that stops calling an integration that already failed in the batch).
 */
export interface Http {
  readonly policy: RetryPolicy;
  /** @default real fetch, timers and clock */
  readonly runtime?: HttpRuntime;
}
