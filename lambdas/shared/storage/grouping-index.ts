import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, written } from '../dynamo';
import type { Member, Membership } from './incident';
import { expiry, type StoreOptions } from './store-options';
import { keys } from './table-layout';

/**
 * The grouping indexes: which open incident each alarm is a member of (`openAlarm`), which open incident an alert
 * has on a service (`openAlert`: related alerts on that service join it) and which incident an alert opened last
 * (`recentAlert`: the same alert on any service joins it within the group window). They are written in the
 * transactions that open and join incidents, and freed when an incident resolves or an alarm leaves it.
 */

/** The incident a new member would join, by the indexes alone (the caller checks that it is still open). */
export async function groupCandidate(options: StoreOptions, member: Member, related: ReadonlySet<string>, now: Date): Promise<string | undefined> {
  // The alert itself too: the same alarm firing again while its incident is still open rejoins it.
  const alerts = [member.alertId, ...related].map((alertId) => keys.openAlert(alertId, member.service));
  const recentKey = keys.recentAlert(member.alertId);
  const found = await batchGetAll(options.dynamo, options.table, [...alerts, recentKey], { consistentRead: true });
  const recent = found.find((item) => item.pk === recentKey.pk && String(item.until) > now.toISOString());
  const sameService = found.find((item) => item.pk !== recentKey.pk);
  return (sameService ?? recent)?.incidentId as string | undefined;
}

/** The alarm's entry in the index of open alarms, if any. */
export async function membership(options: StoreOptions, alarmName: string): Promise<Membership | undefined> {
  const { Item } = await options.dynamo.send(new GetCommand({ TableName: options.table, Key: keys.openAlarm(alarmName), ConsistentRead: true }));
  if (!Item) return undefined;
  return { incidentId: Item.incidentId as string, ...(typeof Item.trigger === 'string' ? { trigger: Item.trigger } : {}) };
}

/**
 * The index entries of a new member, as transaction items: its open-alarm entry, its alert's entry on its service
 * and (`recent`, when it opens the incident) its alert's entry for the group window.
 */
export function indexPuts(options: StoreOptions, incidentId: string, member: Member, groupWindowUntil: string, recent = true) {
  const expiresAt = expiry(options, options.now().toISOString());
  return [
    { Put: { TableName: options.table, Item: { ...keys.openAlarm(member.alarmName), incidentId, trigger: member.trigger, expiresAt } } },
    { Put: { TableName: options.table, Item: { ...keys.openAlert(member.alertId, member.service), incidentId, expiresAt } } },
    ...(recent ? [{ Put: { TableName: options.table, Item: { ...keys.recentAlert(member.alertId), incidentId, until: groupWindowUntil, expiresAt } } }] : []),
  ];
}

/**
 * Removes an alarm's entry if it is still the given membership: an entry the alarm wrote since (it fired again and
 * joined) is kept.
 */
export async function releaseAlarm(options: StoreOptions, alarmName: string, member: Membership): Promise<void> {
  await written(
    options.dynamo.send(
      new DeleteCommand({
        TableName: options.table,
        Key: keys.openAlarm(alarmName),
        ConditionExpression: `incidentId = :id AND ${member.trigger === undefined ? 'attribute_not_exists(#trigger)' : '#trigger = :trigger'}`,
        ExpressionAttributeNames: { '#trigger': 'trigger' },
        ExpressionAttributeValues: { ':id': member.incidentId, ...(member.trigger === undefined ? {} : { ':trigger': member.trigger }) },
      }),
    ),
  );
}

/**
 * Frees the open-alarm entries of a resolved incident, each only if it still names the incident (an alarm may
 * already be a member of a newer one). Best effort: an entry left behind names a resolved incident, which
 * grouping ignores, and expires by TTL.
 */
export async function releaseIncidentAlarms(options: StoreOptions, incidentId: string, alarms: readonly string[]): Promise<void> {
  await Promise.all(
    alarms.map((alarm) =>
      written(
        options.dynamo.send(
          new DeleteCommand({
            TableName: options.table,
            Key: keys.openAlarm(alarm),
            ConditionExpression: 'incidentId = :id',
            ExpressionAttributeValues: { ':id': incidentId },
          }),
        ),
      ).catch(() => undefined),
    ),
  );
}
