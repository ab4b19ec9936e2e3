import type { Config } from '../../lib/core/config/schema';
import { secretId, secretLabel, type SecretRef } from '../../lib/core/config/integrations';
import { IntegrationError, type HttpRuntime, type RetryPolicy } from '../integrations/http';
import type { Incident } from '../shared/storage/incident';
import { keys } from '../shared/storage/table-layout';
import type { CollaborationDeps } from './deps';
import type { Signal } from './signal';

/** The integrations, by the name their timeline events and errors carry. */
export type IntegrationName = 'slack' | 'statuspage' | 'tickets' | 'pagerduty';

/** What an integration gets for one signal: the dependencies and its own outbound HTTP. */
export interface Session extends CollaborationDeps {
  readonly http: { readonly policy: RetryPolicy; readonly runtime: HttpRuntime };
}

/**
 * One integration: when it is on, and what it does with a signal about an incident. It throws IntegrationError
 * when its endpoint fails (the caller records it in the timeline and goes on with the next integration); any
 * other error means the record must be retried.
 */
export interface Integration {
  readonly name: IntegrationName;
  enabled(config: Config): boolean;
  handle(session: Session, incident: Incident, signal: Signal): Promise<void>;
}

/**
 * The key that makes an effect of a signal happen once: the timeline event's sort key, or the action's
 * ({@link actionEffectKey}); every signal of the resolution (one `resolved` event per cleared alarm, then the
 * incident's) shares one key.
 */
export function effectKey(incident: Incident, signal: Signal): string {
  if (isResolution(incident, signal)) return 'resolution';
  return signal.kind === 'event' ? signal.key : actionEffectKey(signal.action.actionId);
}

/** The effect key of an action: its item's partition key, the same whichever path (stream, catch-up) posts it. */
export const actionEffectKey = (actionId: string): string => keys.action(actionId).pk;

/** Whether a signal is the incident's resolution (the store writes a `resolved` event for each cleared alarm too). */
export function isResolution(incident: Incident, signal: Signal): boolean {
  return signal.kind === 'event' && signal.event.type === 'resolved' && incident.status === 'resolved';
}

/**
 * An integration's credential. A secret that cannot be read is that integration's failure (recorded, then the
 * others go on), not a reason to retry the stream record for ever; the message names the error, never the value.
 */
export async function credential(session: Session, integration: IntegrationName, secret: SecretRef): Promise<string> {
  try {
    const value = await session.secret(secretId(secret));
    if (value.trim() === '') throw Object.assign(new Error('empty'), { name: 'EmptySecret' });
    return value.trim();
  } catch (error) {
    throw new IntegrationError(integration, undefined, 1, `its secret ${secretLabel(secret)} could not be read (${(error as Error).name})`);
  }
}
