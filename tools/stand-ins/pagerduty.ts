import { randomBytes } from 'node:crypto';
import { isObject, reply, type ServiceFake } from './wire';

/**
 * The PagerDuty Events API v2 (`/v2/enqueue`), as PagerDuty answers it: 202 `{ status: 'success', message,
 * dedup_key }`, or 400 `{ status: 'invalid event', message: 'Event object is invalid', errors: [...] }` for a
 * routing key of the wrong length (32 characters) or not the integration's, an unknown event_action, an
 * acknowledge/resolve without dedup_key, or a trigger without a valid payload. Alerts are kept by dedup_key.
 */

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export interface FakePagerDutyEvent {
  readonly event_action: string;
  readonly dedup_key: string;
  readonly routing_key: string;
  readonly payload?: Record<string, unknown>;
  readonly links?: unknown[];
  readonly images?: unknown[];
  readonly client?: string;
  readonly client_url?: string;
}

export interface FakePagerDutyState {
  /** Accepted events, in order (the dedup_key PagerDuty generated when a trigger had none). */
  readonly events: FakePagerDutyEvent[];
  /** Where each alert is, by dedup_key. */
  readonly alerts: Record<string, 'triggered' | 'acknowledged' | 'resolved'>;
}

/** The problems PagerDuty lists for an event, in its words; empty when valid. */
function problems(event: Record<string, unknown>, routingKey: string): string[] {
  const found: string[] = [];
  const key = event.routing_key;
  if (typeof key !== 'string' || key === '') found.push("'routing_key' is missing or blank");
  else if (key.length !== 32) found.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (key !== routingKey) found.push('Invalid routing key');
  if (!ACTIONS.includes(event.event_action as string))
    found.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  const dedup = event.dedup_key;
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length > 255)) found.push("'dedup_key' must be a string of at most 255 characters");
  if ((event.event_action === 'acknowledge' || event.event_action === 'resolve') && (typeof dedup !== 'string' || dedup === ''))
    found.push("'dedup_key' is missing or blank");
  if (event.event_action === 'trigger') {
    const payload = event.payload;
    if (!isObject(payload)) found.push("'payload' is missing or blank");
    else {
      if (typeof payload.summary !== 'string' || payload.summary === '') found.push("'payload.summary' is missing or blank");
      else if (payload.summary.length > 1024) found.push("Length of 'payload.summary' is too long (max 1024 characters)");
      if (typeof payload.source !== 'string' || payload.source === '') found.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(payload.severity as string))
        found.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
      if (payload.timestamp !== undefined && (typeof payload.timestamp !== 'string' || Number.isNaN(Date.parse(payload.timestamp))))
        found.push("'payload.timestamp' is invalid (must be ISO 8601)");
    }
  }
  if (event.links !== undefined && (!Array.isArray(event.links) || event.links.some((l) => !isObject(l) || typeof l.href !== 'string')))
    found.push("'links' must be a list of objects with an 'href'");
  return found;
}

export function pagerDutyFake(routingKey: string): ServiceFake<FakePagerDutyState> {
  const state: FakePagerDutyState = { events: [], alerts: {} };
  const invalid = (errors: string[]) => reply(400, { status: 'invalid event', message: 'Event object is invalid', errors });
  return {
    state,
    reset: () => {
      state.events.length = 0;
      for (const key of Object.keys(state.alerts)) delete state.alerts[key];
    },
    faultBody: (status) =>
      status === 429
        ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' }
        : { status: 'error', message: 'Internal server error' },
    handle(request) {
      if (request.pathname !== '/v2/enqueue') return { status: 404, text: 'Not Found' };
      if (request.method !== 'POST') return { status: 405, text: 'Method Not Allowed' };
      if (request.malformed || !isObject(request.body))
        return reply(400, { status: 'invalid request', message: 'Event object is invalid', errors: ['Request body is not a JSON object'] });
      const found = problems(request.body, routingKey);
      if (found.length) return invalid(found);
      const event = {
        ...request.body,
        dedup_key: (request.body.dedup_key as string | undefined) ?? randomBytes(16).toString('hex'),
      } as unknown as FakePagerDutyEvent;
      state.events.push(event);
      const current = state.alerts[event.dedup_key];
      if (event.event_action === 'trigger') state.alerts[event.dedup_key] = current === 'acknowledged' ? current : 'triggered';
      // Acknowledging or resolving an alert PagerDuty does not know is accepted and changes nothing.
      else if (current !== undefined && current !== 'resolved')
        state.alerts[event.dedup_key] = event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      return reply(202, { status: 'success', message: 'Event processed', dedup_key: event.dedup_key });
    },
  };
}
