import type { PagerDutyConfig } from '../../lib/core/config/integrations';
import { call } from './http';
import type { Http } from './transport';

/** The PagerDuty Events API v2 calls of the collaboration integration. */
export interface PagerDutyClient {
  /**
   * Enqueues an event as `pagerDutyEvent()` builds it (event_action, dedup_key, payload, links). A 400 (invalid
   * event) fails at once; 429 and 5xx are retried within the policy.
   */
  send(event: Record<string, unknown>): Promise<void>;
}

/** The Events API v2 client of one integration (routing) key; errors never contain the key. */
export function pagerDutyClient(config: PagerDutyConfig, routingKey: string, http: Http): PagerDutyClient {
  return {
    async send(event) {
      // routing_key last: the configured key wins over one an event might carry.
      await call('pagerduty', { method: 'POST', url: config.eventsUrl, json: { ...event, routing_key: routingKey } }, http.policy, http.runtime);
    },
  };
}
