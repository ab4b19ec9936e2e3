import { randomBytes } from 'node:crypto';
import { isObject, isStringArray, reply, type FakeRequest, type FakeResponse, type ServiceFake } from './wire';

/**
 * The incidents of the Statuspage REST API v1 (`/v1/pages/:page/incidents[/:id]`), as Statuspage answers them:
 * 401 without the page's key (`Authorization: OAuth <key>` or `?api_key=`), 400 without an `incident` object,
 * 422 on an invalid status, 404 for an unknown incident, 201/200 with the incident object.
 */

const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];
const COMPONENT_STATUSES = ['operational', 'under_maintenance', 'degraded_performance', 'partial_outage', 'major_outage'];
const IMPACT: Record<string, string> = { major_outage: 'critical', partial_outage: 'major', degraded_performance: 'minor' };

export interface FakeStatusPageUpdate {
  readonly id: string;
  readonly status: string;
  readonly body: string;
  readonly created_at: string;
  readonly affected_components: { code: string; new_status: string }[];
}

export interface FakeStatusPageIncident {
  readonly id: string;
  readonly page_id: string;
  name: string;
  status: string;
  impact: string;
  readonly shortlink: string;
  readonly created_at: string;
  updated_at: string;
  resolved_at: string | null;
  deliver_notifications: boolean;
  components: { id: string; status: string }[];
  /** Newest first, as Statuspage lists them. */
  readonly incident_updates: FakeStatusPageUpdate[];
}

export interface FakeStatusPageState {
  /** In creation order. */
  readonly incidents: FakeStatusPageIncident[];
  /** The current status of every component an incident touched, by component id. */
  readonly components: Record<string, string>;
}

export interface FakeStatusPageOptions {
  /** The pages the key may use; others answer 404. @default any page */
  readonly pageIds?: readonly string[];
}

export function statusPageFake(apiKey: string, options: FakeStatusPageOptions = {}): ServiceFake<FakeStatusPageState> {
  const state: FakeStatusPageState = { incidents: [], components: {} };
  const reset = () => {
    state.incidents.length = 0;
    for (const key of Object.keys(state.components)) delete state.components[key];
  };
  const error = (status: number, message: string) => reply(status, { error: message });
  const id = () => randomBytes(6).toString('hex');

  /** Validates the writable fields of `incident`; the message of the first problem, as a 422. */
  function invalid(incident: Record<string, unknown>, creating: boolean): FakeResponse | undefined {
    if (creating && (typeof incident.name !== 'string' || incident.name.trim() === '')) return error(422, "Name can't be blank");
    if (incident.name !== undefined && typeof incident.name !== 'string') return error(422, 'Name must be a string');
    if (incident.status !== undefined && !INCIDENT_STATUSES.includes(incident.status as string)) return error(422, 'Status is not included in the list');
    if (incident.body !== undefined && typeof incident.body !== 'string') return error(422, 'Body must be a string');
    if (incident.component_ids !== undefined && !isStringArray(incident.component_ids)) return error(422, 'Component ids must be an array of component ids');
    if (incident.components !== undefined) {
      if (!isObject(incident.components)) return error(422, 'Components must be a map of component id to status');
      const bad = Object.values(incident.components).find((s) => !COMPONENT_STATUSES.includes(s as string));
      if (bad !== undefined) return error(422, `Invalid component status: ${String(bad)}`);
    }
    return undefined;
  }

  /** Applies a create or update: components, an incident update when there is news, the resolution. */
  function apply(target: FakeStatusPageIncident, incident: Record<string, unknown>): void {
    const now = new Date().toISOString();
    const changed = (incident.components ?? {}) as Record<string, string>;
    for (const [component, status] of Object.entries(changed)) state.components[component] = status;
    const ids = new Set([...((incident.component_ids as string[] | undefined) ?? []), ...Object.keys(changed)]);
    if (ids.size) target.components = [...ids].map((c) => ({ id: c, status: changed[c] ?? state.components[c] ?? 'operational' }));
    const worst = target.components.map((c) => IMPACT[c.status]).find((i) => i !== undefined);
    if (worst) target.impact = worst;
    if (typeof incident.name === 'string') target.name = incident.name;
    const status = (incident.status as string | undefined) ?? target.status;
    if (status !== target.status || typeof incident.body === 'string' || target.incident_updates.length === 0) {
      target.incident_updates.unshift({
        id: id(),
        status,
        body: (incident.body as string | undefined) ?? '',
        created_at: now,
        affected_components: Object.entries(changed).map(([code, s]) => ({ code, new_status: s })),
      });
    }
    target.status = status;
    if (status === 'resolved' && target.resolved_at === null) target.resolved_at = now;
    if (typeof incident.deliver_notifications === 'boolean') target.deliver_notifications = incident.deliver_notifications;
    target.updated_at = now;
  }

  return {
    state,
    reset,
    faultBody: (status) => ({ error: status === 429 || status === 420 ? 'Rate limit exceeded' : 'Internal Server Error' }),
    handle(request: FakeRequest) {
      const match = /^\/v1\/pages\/([^/]+)\/incidents(?:\/([^/]+))?(?:\.json)?$/.exec(request.pathname);
      if (!match) return error(404, 'The requested resource could not be found.');
      const key = /^OAuth (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? request.query.get('api_key');
      if (key !== apiKey) return error(401, 'Could not authenticate');
      const [, pageId, incidentId] = match as unknown as [string, string, string | undefined];
      if (options.pageIds && !options.pageIds.includes(pageId)) return error(404, 'The requested resource could not be found.');
      const existing = incidentId === undefined ? undefined : state.incidents.find((i) => i.id === incidentId && i.page_id === pageId);
      if (incidentId !== undefined && !existing) return error(404, 'The requested resource could not be found.');

      if (request.method === 'GET') return existing ? reply(200, existing) : reply(200, state.incidents.filter((i) => i.page_id === pageId).reverse());
      const allowed = existing ? ['PATCH', 'PUT'] : ['POST'];
      if (!allowed.includes(request.method)) return error(405, 'Method Not Allowed');
      if (request.malformed) return error(400, 'There was a problem parsing the request body');
      const incident = isObject(request.body) ? request.body.incident : undefined;
      if (!isObject(incident)) return error(400, 'param is missing or the value is empty: incident');
      const problem = invalid(incident, existing === undefined);
      if (problem) return problem;
      if (existing) {
        apply(existing, incident);
        return reply(200, existing);
      }
      const now = new Date().toISOString();
      const created: FakeStatusPageIncident = {
        id: id(),
        page_id: pageId,
        name: incident.name as string,
        status: 'investigating',
        impact: 'none',
        shortlink: `https://stspg.io/${randomBytes(3).toString('hex')}`,
        created_at: now,
        updated_at: now,
        resolved_at: null,
        deliver_notifications: true,
        components: [],
        incident_updates: [],
      };
      apply(created, incident);
      state.incidents.push(created);
      return reply(201, created);
    },
  };
}
