import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { AlertingError } from './errors';

/** What an ack or resolve link may do. */
export type LinkAction = 'ack' | 'resolve';

/** The claims a link token carries: one incident, one action, until an expiry. */
export interface LinkClaims {
  readonly incidentId: string;
  readonly action: LinkAction;
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** Single use: the endpoint records it and refuses it a second time. */
  readonly nonce: string;
}

/** A link that must not be obeyed, with the reason (logged; never the token itself). */
export class LinkRejectedError extends AlertingError {
  public constructor(public readonly reason: 'malformed' | 'forged' | 'expired' | 'replayed' | 'wrong-incident' | 'wrong-action') {
    super(`link rejected: ${reason}`);
  }
}

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** `<claims>.<HMAC-SHA256>`, both base64url; the key never leaves Secrets Manager and the Lambda's memory. */
export function signLink(key: string, claims: Omit<LinkClaims, 'nonce'> & { nonce?: string }): string {
  const body = b64(JSON.stringify({ ...claims, nonce: claims.nonce ?? randomUUID() }));
  return `${body}.${b64(createHmac('sha256', key).update(body).digest())}`;
}

/**
 * Checks a token's signature (constant time), expiry, incident and action. Replay is the caller's check: it
 * needs storage.
 * @throws LinkRejectedError with the reason.
 */
export function verifyLink(key: string, token: string, expected: { incidentId: string; action: LinkAction; now: Date }): LinkClaims {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) throw new LinkRejectedError('malformed');
  const wanted = createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw new LinkRejectedError('forged');
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    throw new LinkRejectedError('malformed');
  }
  if (typeof claims.exp !== 'number' || typeof claims.incidentId !== 'string' || typeof claims.nonce !== 'string') throw new LinkRejectedError('malformed');
  if (claims.exp * 1000 <= expected.now.getTime()) throw new LinkRejectedError('expired');
  if (claims.incidentId !== expected.incidentId) throw new LinkRejectedError('wrong-incident');
  if (claims.action !== expected.action) throw new LinkRejectedError('wrong-action');
  return claims;
}
