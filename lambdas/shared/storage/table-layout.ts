/**
 * The layout of the audit table: the one place that says which item lives under which key. Every store (and the
 * CDK stream filter, the collaboration function's stream reader) forms and recognises keys through this module
 * only, so a key format can be read, reviewed and changed here; test/shared/table-layout.test.ts fails when a key
 * is spelled out anywhere else.
 *
 * One table holds everything (single-table design): the items of one incident share a partition so that its
 * timeline is one query, and every other item is alone in its partition so that each conditional write (a claim,
 * a lock, a cooldown) guards exactly one thing.
 *
 * | pk                                  | sk                          | item                                                  |
 * | ----------------------------------- | --------------------------- | ----------------------------------------------------- |
 * | `ACTION#<actionId>`                 | `ACTION`                    | an automatic action's audit record (time index)       |
 * | `COOLDOWN#<mitigation>#<target>`    | `COOLDOWN`                  | the cooldown of a target and the action holding it    |
 * | `WINDOW#<start ms>`                 | `WINDOW`                    | the count of actions in one rate-limit window         |
 * | `INCIDENT#<incidentId>`             | `INCIDENT`                  | the incident (time index)                             |
 * | `INCIDENT#<incidentId>`             | `EVENT#<at>#<suffix>`       | one timeline event                                    |
 * | `INCIDENT#<incidentId>`             | `PAGED#<pageKey>#<role>`    | a role one page of the incident reached               |
 * | `OPENALARM#<alarmName>`             | `OPEN`                      | the open incident an alarm is a member of             |
 * | `OPENALERT#<alertId>#<service\|->`  | `OPEN`                      | the open incident of an alert on a service (grouping) |
 * | `RECENT#<alertId>`                  | `RECENT`                    | the incident an alert opened, for the group window    |
 * | `LASTOK#<alarmName>`                | `LASTOK`                    | when an alarm last went OK (out-of-order events)      |
 * | `LOCK#<name>`                       | `LOCK`                      | the grouping lock                                     |
 * | `NONCE#<nonce>`                     | `NONCE`                     | a used signed link (replay guard)                     |
 * | `SHORTLINK#<sha256(token)>`         | `SHORTLINK`                 | an SMS short link                                     |
 * | `SILENCE#<silenceId>`               | `SILENCE`                   | an ad-hoc silence (time index)                        |
 * | `COLLAB#<scope>`                    | `EFFECT#<effect>`           | an integration's effect, claimed once                 |
 * | `COLLAB#<scope>`                    | `SLACK`/`STATUSPAGE`/`TICKET` | an integration's singleton (channel, page, ticket)  |
 *
 * The ids in the keys are formed where they mean something, and are stable so that a retry finds its own item:
 * `actionId` is actionIdOf(incident, mitigation) (audit-log.ts: a duplicate notification maps to the same
 * action), `incidentId` the transitionKey (`<alarm>@<time>`, lib/core/escalation-plan.ts) of the alarm transition
 * that opened it, a silence id 8 random hex characters (silences.ts), a short link's token 96 random bits
 * (short-links.ts, stored hashed).
 *
 * Actions, incidents and silences are also in the time index {@link TIME_INDEX}: partition {@link TIME_PARTITION}
 * of their kind, sort key {@link timeSortKey} (when, then the id, so two items of one instant both stay). Items
 * expire by DynamoDB TTL at {@link EXPIRES_AT}.
 */

/** A primary key of the table. */
export type ItemKey = {
  readonly pk: string;
  readonly sk: string;
};

/** The table's index of items by time (actions, incidents, silences), one partition per kind. */
export const TIME_INDEX = 'byTime';

/** The attribute DynamoDB's TTL reads: expiry in epoch seconds. */
export const EXPIRES_AT = 'expiresAt';

/** The time index's partition of each kind of item. */
export const TIME_PARTITION = { actions: 'ACTIONS', incidents: 'INCIDENTS', silences: 'SILENCES' } as const;

/** The time index's sort key: the item's time (ISO 8601), then its id, so items of the same instant stay distinct. */
export const timeSortKey = (at: string, id: string): string => `${at}#${id}`;

/** The time index attributes of an item of `kind`. */
export const timeIndexed = (kind: keyof typeof TIME_PARTITION, at: string, id: string) => ({ gsi1pk: TIME_PARTITION[kind], gsi1sk: timeSortKey(at, id) });

/**
 * The partition key prefixes other code must recognise: the stream filter of the collaboration function and its
 * reader select incident timeline events and actions by them.
 */
export const PREFIX = { action: 'ACTION#', incident: 'INCIDENT#', event: 'EVENT#' } as const;

const PAGED = 'PAGED#';
const EFFECT = 'EFFECT#';

/** The singletons an integration keeps per scope: the Slack channel, the status-page incident, the ticket. */
export type CollaborationSingleton = 'SLACK' | 'STATUSPAGE' | 'TICKET';

/** The key of every item of the table. */
export const keys = {
  /** An action's audit record: one per (incident, mitigation), claimed with a conditional put. */
  action: (actionId: string): ItemKey => ({ pk: `${PREFIX.action}${actionId}`, sk: 'ACTION' }),
  /** The cooldown of a target for a mitigation: one item, so two actions on one target race for one write. */
  cooldown: (mitigation: string, target: string): ItemKey => ({ pk: `COOLDOWN#${mitigation}#${target}`, sk: 'COOLDOWN' }),
  /** The counter of one action window (`start`: epoch ms), incremented under a condition for the rate limit. */
  actionWindow: (start: number): ItemKey => ({ pk: `WINDOW#${start}`, sk: 'WINDOW' }),
  /** An incident; its timeline events and page receipts share its partition. */
  incident: (incidentId: string): ItemKey => ({ pk: `${PREFIX.incident}${incidentId}`, sk: 'INCIDENT' }),
  /** A timeline event: sorted by time within the incident's partition; `suffix` keeps events of one instant apart. */
  timelineEvent: (incidentId: string, at: string, suffix: string): ItemKey => ({ pk: keys.incident(incidentId).pk, sk: `${PREFIX.event}${at}#${suffix}` }),
  /** A role one page reached, so that a retried page skips it. */
  pageReceipt: (incidentId: string, pageKey: string, role: string): ItemKey => ({ pk: keys.incident(incidentId).pk, sk: `${PAGED}${pageKey}#${role}` }),
  /** An alarm's entry in the index of open alarms (which incident it is a member of, since which transition). */
  openAlarm: (alarmName: string): ItemKey => ({ pk: `OPENALARM#${alarmName}`, sk: 'OPEN' }),
  /** The open incident of an alert on a service: related alerts on the same service join it. */
  openAlert: (alertId: string, service: string | undefined): ItemKey => ({ pk: `OPENALERT#${alertId}#${service ?? '-'}`, sk: 'OPEN' }),
  /** The incident an alert opened last, kept for the group window (the same alert on any service joins it). */
  recentAlert: (alertId: string): ItemKey => ({ pk: `RECENT#${alertId}`, sk: 'RECENT' }),
  /** When an alarm last went OK: an ALARM event older than it is stale. */
  lastOk: (alarmName: string): ItemKey => ({ pk: `LASTOK#${alarmName}`, sk: 'LASTOK' }),
  /** A lock (the grouping lock), taken with a conditional put and expiring by itself. */
  lock: (name: string): ItemKey => ({ pk: `LOCK#${name}`, sk: 'LOCK' }),
  /** A signed link's nonce, written once when the link is used: a second use is a replay. */
  linkNonce: (nonce: string): ItemKey => ({ pk: `NONCE#${nonce}`, sk: 'NONCE' }),
  /** An SMS short link, under the SHA-256 of its token (base64url) so that a table read yields no usable link. */
  shortLink: (tokenHash: string): ItemKey => ({ pk: `SHORTLINK#${tokenHash}`, sk: 'SHORTLINK' }),
  /** An ad-hoc silence. */
  silence: (silenceId: string): ItemKey => ({ pk: `SILENCE#${silenceId}`, sk: 'SILENCE' }),
  /** An integration's effect (a post, an update) for a scope (an incident, an alert), claimed once. */
  collaborationEffect: (scope: string, effect: string): ItemKey => ({ pk: `COLLAB#${scope}`, sk: `${EFFECT}${effect}` }),
  /** An integration's singleton for a scope (its Slack channel, status-page incident or ticket). */
  collaborationSingleton: (scope: string, name: CollaborationSingleton): ItemKey => ({ pk: `COLLAB#${scope}`, sk: name }),
};

/** Queries of several items of one partition: a partition key and the sort key prefix of the items. */
export const ranges = {
  /** An incident's timeline events, oldest first. */
  timeline: (incidentId: string) => ({ pk: keys.incident(incidentId).pk, skPrefix: PREFIX.event }),
  /** The roles one page of an incident reached. */
  pageReceipts: (incidentId: string, pageKey: string) => ({ pk: keys.incident(incidentId).pk, skPrefix: `${PAGED}${pageKey}#` }),
};

/** What a key names, for readers of raw items (the table's stream). */
export type ParsedKey =
  | { readonly kind: 'event'; readonly incidentId: string }
  | { readonly kind: 'action'; readonly actionId: string }
  | { readonly kind: 'other' };

/** Recognises an incident's timeline event or an action by its key. */
export function parseKey(key: { readonly pk: string; readonly sk: string }): ParsedKey {
  if (key.pk.startsWith(PREFIX.incident) && key.sk.startsWith(PREFIX.event)) return { kind: 'event', incidentId: key.pk.slice(PREFIX.incident.length) };
  if (key.pk.startsWith(PREFIX.action)) return { kind: 'action', actionId: key.pk.slice(PREFIX.action.length) };
  return { kind: 'other' };
}

/** An item without the layout's attributes (keys, time index, expiry): what the stores hand out. */
export function withoutLayout(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, [EXPIRES_AT]: _e, ...rest } = item;
  return rest;
}

/** The expiry (epoch seconds, for {@link EXPIRES_AT}) of an item kept `retentionDays` after `fromIso`. */
export function expiresAfter(fromIso: string, retentionDays: number): number {
  return Math.floor(Date.parse(fromIso) / 1000) + retentionDays * 86_400;
}
