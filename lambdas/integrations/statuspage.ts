import type { StatusPageConfig } from '../../lib/core/config/integrations';
import { call, IntegrationError } from './http';
import type { Http } from './transport';

/** What customers are told an incident is at: Statuspage's statuses of a realtime incident. */
export type StatusPageStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

/** A new customer-facing incident, on one component. */
export interface StatusPageOpening {
  readonly name: string;
  /** The first update customers read. */
  readonly body: string;
  readonly componentId: string;
  readonly componentStatus: 'major_outage' | 'degraded_performance';
  readonly status: Exclude<StatusPageStatus, 'resolved'>;
}

/** An update of an open incident; `resolved` with `operational` closes it and turns the component green. */
export interface StatusPageUpdate {
  readonly status: StatusPageStatus;
  readonly body: string;
  readonly componentId: string;
  readonly componentStatus: 'major_outage' | 'degraded_performance' | 'operational';
}

/** The Statuspage calls of the collaboration integration. */
export interface StatusPageClient {
  /** Opens an incident and notifies the page's subscribers; `shortlink` is the public link, when the page has one. */
  open(incident: StatusPageOpening): Promise<{ id: string; shortlink?: string }>;
  update(id: string, update: StatusPageUpdate): Promise<void>;
}

/** The Statuspage (v1 REST API) client of a page, with an API key sent as `Authorization: OAuth <key>`. */
export function statusPageClient(config: StatusPageConfig, apiKey: string, http: Http): StatusPageClient {
  const incidents = `${config.apiUrl.replace(/\/+$/, '')}/pages/${encodeURIComponent(config.pageId)}/incidents`;
  const headers = { authorization: `OAuth ${apiKey}` };
  const components = (id: string, status: string) => ({ component_ids: [id], components: { [id]: status } });

  return {
    async open(incident) {
      const response = await call(
        'statuspage',
        {
          method: 'POST',
          url: incidents,
          headers,
          json: {
            incident: {
              name: incident.name,
              status: incident.status,
              body: incident.body,
              ...components(incident.componentId, incident.componentStatus),
              deliver_notifications: true,
            },
          },
        },
        http.policy,
        http.runtime,
      );
      const body = response.body as { id?: unknown; shortlink?: unknown } | undefined;
      if (typeof body?.id !== 'string')
        throw new IntegrationError('statuspage', response.status, response.attempts, 'incident created without an id in the answer');
      return { id: body.id, ...(typeof body.shortlink === 'string' ? { shortlink: body.shortlink } : {}) };
    },

    async update(id, update) {
      await call(
        'statuspage',
        {
          method: 'PATCH',
          url: `${incidents}/${encodeURIComponent(id)}`,
          headers,
          json: { incident: { status: update.status, body: update.body, ...components(update.componentId, update.componentStatus) } },
        },
        http.policy,
        http.runtime,
      );
    },
  };
}
