import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ActionRecord } from '../shared/storage/audit-log';
import type { TimelineEvent } from '../shared/storage/incident';
import { parseKey, withoutLayout } from '../shared/storage/table-layout';

/** Something an integration may act on, read from the audit table's stream. */
export type Signal =
  /** A new event in an incident's timeline (`key`: its sort key, unique). */
  | { readonly kind: 'event'; readonly incidentId: string; readonly key: string; readonly event: TimelineEvent }
  /** An automatic action (or a human revert) that reached its first final state. */
  | { readonly kind: 'action'; readonly action: ActionRecord };

/** Outcomes of an acted record that are final: what on-call hears about. `pending` is only the intent. */
const FINAL = new Set(['succeeded', 'failed', 'unknown', 'verified', 'ineffective']);

/** An action done (or that would have been, in dry-run), as opposed to one being claimed or carried out. */
export function isDecided(action: Pick<ActionRecord, 'decision' | 'outcome'>): boolean {
  return action.decision === 'dry-run' || (action.decision === 'acted' && FINAL.has(String(action.outcome)));
}

/**
 * What a stream record means for the integrations, or why it means nothing. The event source mapping's filter
 * already drops most of what is ignored here; this is the check that does not depend on it.
 */
export function toSignal(record: DynamoDBRecord): Signal | { readonly ignored: string; readonly malformed?: true } {
  const image = record.dynamodb?.NewImage;
  if (!image) return { ignored: `${record.eventName ?? 'record'} without a new image` };
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image as Record<string, AttributeValue>);
  } catch (error) {
    return { ignored: `unreadable image: ${(error as Error).message}`, malformed: true };
  }
  const pk = String(item.pk ?? '');
  const sk = String(item.sk ?? '');
  const key = parseKey({ pk, sk });
  if (key.kind === 'event') {
    if (record.eventName !== 'INSERT') return { ignored: `timeline event ${record.eventName}` };
    if (typeof item.type !== 'string' || typeof item.at !== 'string' || typeof item.detail !== 'string')
      return { ignored: `malformed timeline event ${pk}/${sk}`, malformed: true };
    const event: TimelineEvent = {
      at: item.at,
      type: item.type as TimelineEvent['type'],
      detail: item.detail,
      ...(item.data ? { data: item.data as Record<string, unknown> } : {}),
    };
    return { kind: 'event', incidentId: key.incidentId, key: sk, event };
  }
  if (key.kind === 'action') {
    if (!isDecided(item as Pick<ActionRecord, 'decision' | 'outcome'>))
      return { ignored: `action ${key.actionId} is ${String(item.decision)}/${String(item.outcome)}` };
    const { claimToken: _t, ...action } = withoutLayout(item);
    return { kind: 'action', action: action as unknown as ActionRecord };
  }
  return { ignored: `not an incident event or an action: ${pk}` };
}
