import { IntegrationError, REAL_RUNTIME, type HttpRuntime } from '../integrations/http';

/**
 * One invocation's memory of which integrations failed. Once an integration has spent its retry budget and
 * failed, its later calls in the same batch fail at once instead of spending the budget again: a dead Slack costs
 * one budget per batch, not one per record, and cannot hold up the status page behind it for long.
 */
export class Breaker {
  private readonly failed = new Map<string, string>();

  public constructor(private readonly runtime: HttpRuntime = REAL_RUNTIME) {}

  /** The runtime an integration's client uses: it refuses to call once the integration failed in this batch. */
  public runtimeFor(integration: string): HttpRuntime {
    return {
      ...this.runtime,
      fetch: (input, init) => {
        const reason = this.failed.get(integration);
        // call() passes an IntegrationError through without retrying.
        if (reason !== undefined)
          return Promise.reject(new IntegrationError(integration, undefined, 0, `not called: failed earlier in this batch (${reason})`));
        return this.runtime.fetch(input, init);
      },
    };
  }

  public trip(integration: string, reason: string): void {
    if (!this.failed.has(integration)) this.failed.set(integration, reason);
  }
}
