import { IncidentStateError } from '../shared/storage/incident';
import { LinkRejectedError, verifyLink, type LinkAction } from '../shared/links';
import type { EscalationDeps } from './deps';
import { acknowledgeIncident, resolveIncident } from './incident-lifecycle';
import { SHORT_LINK_PATH } from './notify';

/** The parts of a Lambda function URL request the endpoint reads. */
export interface UrlRequest {
  readonly rawPath?: string;
  readonly rawQueryString?: string;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string; readonly sourceIp?: string } };
}

export interface UrlResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const STATUS: Readonly<Record<LinkRejectedError['reason'], number>> = {
  malformed: 400,
  forged: 403,
  expired: 403,
  'wrong-incident': 403,
  'wrong-action': 403,
  replayed: 409,
};

/**
 * The ack/resolve link of every page. GET shows a confirmation page and changes nothing (mail scanners and
 * link previews follow GET links); POST, from that page's button, acknowledges or resolves. A token is bound to
 * one incident and one action, expires, and works once; every refusal is logged with its reason.
 */
export async function handleLink(deps: EscalationDeps, request: UrlRequest): Promise<UrlResponse> {
  const method = request.requestContext?.http?.method ?? 'GET';
  const action = (request.rawPath ?? '').replace(/^\/+|\/+$/g, '');
  if (action.startsWith(`${SHORT_LINK_PATH}/`)) return handleShortLink(deps, request, method, action.slice(SHORT_LINK_PATH.length + 1));
  if (action !== 'ack' && action !== 'resolve') return html(404, 'Not found', 'This link is not an acknowledge or resolve link.');
  const params = new URLSearchParams(method === 'POST' ? decodeBody(request) : (request.rawQueryString ?? ''));
  const incidentId = params.get('incident') ?? '';
  const token = params.get('token') ?? '';
  const verb = action === 'ack' ? 'Acknowledge' : 'Resolve';

  try {
    const claims = verifyLink(await deps.linkKey(), token, { incidentId, action: action as LinkAction, now: deps.now() });
    if (method !== 'POST') {
      return html(
        200,
        `${verb} incident`,
        `<p>${escape(verb)} incident <code>${escape(incidentId)}</code>?</p>
<form method="post" action="/${action}"><input type="hidden" name="incident" value="${escape(incidentId)}"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">${verb}</button></form>`,
      );
    }
    if (!(await deps.store.consumeNonce(claims.nonce, claims.exp))) throw new LinkRejectedError('replayed');
    const by = `link (${request.requestContext?.http?.sourceIp ?? 'unknown address'})`;
    if (action === 'ack') await acknowledgeIncident(deps, incidentId, by);
    else await resolveIncident(deps, incidentId, by);
    deps.logger.info('link obeyed', { incidentId, action });
    return html(
      200,
      `${verb}d`,
      `<p>Incident <code>${escape(incidentId)}</code>: ${action === 'ack' ? 'acknowledged. Paging for the ack deadline stops; escalation continues until it is resolved' : 'resolved. Paging stops'}.</p>`,
    );
  } catch (error) {
    if (error instanceof LinkRejectedError) {
      deps.logger.warn('link rejected', {
        reason: error.reason,
        action,
        incidentId: incidentId.slice(0, 200),
        sourceIp: request.requestContext?.http?.sourceIp,
      });
      return html(
        STATUS[error.reason],
        'Link refused',
        `This link cannot be used: ${error.reason}. Use <code>npx oncall ${action} ${escape(incidentId)}</code>.`,
      );
    }
    if (error instanceof IncidentStateError) return html(409, 'Nothing to do', escape(error.message));
    throw error;
  }
}

/**
 * The short ack link of an SMS page (`/s/<token>`): the same two steps as the signed links (GET asks, POST acts),
 * the token resolved in the table; refused with the same reasons (malformed, forged, expired, replayed).
 */
async function handleShortLink(deps: EscalationDeps, request: UrlRequest, method: string, token: string): Promise<UrlResponse> {
  try {
    if (method !== 'POST') {
      const link = await deps.shortLinks.peek(token, { action: 'ack', now: deps.now() });
      return html(
        200,
        'Acknowledge incident',
        `<p>Acknowledge incident <code>${escape(link.incidentId)}</code>?</p>
<form method="post" action="/${SHORT_LINK_PATH}/${escape(token)}"><button type="submit">Acknowledge</button></form>`,
      );
    }
    const link = await deps.shortLinks.redeem(token, { action: 'ack', now: deps.now() });
    await acknowledgeIncident(deps, link.incidentId, `link (${request.requestContext?.http?.sourceIp ?? 'unknown address'})`);
    deps.logger.info('link obeyed', { incidentId: link.incidentId, action: 'ack', short: true });
    return html(
      200,
      'Acknowledged',
      `<p>Incident <code>${escape(link.incidentId)}</code>: acknowledged. Paging for the ack deadline stops; escalation continues until it is resolved.</p>`,
    );
  } catch (error) {
    if (error instanceof LinkRejectedError) {
      deps.logger.warn('link rejected', { reason: error.reason, action: 'ack', short: true, sourceIp: request.requestContext?.http?.sourceIp });
      return html(STATUS[error.reason], 'Link refused', `This link cannot be used: ${error.reason}. Use <code>npx oncall ack &lt;incident&gt;</code>.`);
    }
    if (error instanceof IncidentStateError) return html(409, 'Nothing to do', escape(error.message));
    throw error;
  }
}

function decodeBody(request: UrlRequest): string {
  return request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : (request.body ?? '');
}

function html(statusCode: number, title: string, body: string): UrlResponse {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' },
    body: `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`,
  };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
