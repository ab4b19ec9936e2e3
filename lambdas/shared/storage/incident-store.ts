import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Severity } from '../../../lib/core/catalog';
import { firstConditionFailed, queryAll, sinceInTimeIndex, transactWrite, written } from '../dynamo';
import { lastOk, recordOk } from './alarm-ok';
import { groupCandidate, indexPuts, membership, releaseAlarm, releaseIncidentAlarms } from './grouping-index';
import { withLock } from './grouping-lock';
import {
  alarmSet,
  formatDuration,
  IncidentStateError,
  toIncident,
  type Incident,
  type JoinOutcome,
  type Member,
  type Membership,
  type TimelineEvent,
} from './incident';
import { consumeNonce } from './link-nonces';
import { expiry, type LockLimits, type StoreOptions } from './store-options';
import { keys, TIME_PARTITION, timeIndexed } from './table-layout';
import { addEvent, eventItem, markReached, readTimeline, rolesReached } from './timeline';

/**
 * Incidents, their timelines and the grouping indexes, in the audit table. All multi-item changes are
 * transactions, so an incident is never half-opened or half-joined. The incident's lifecycle (open, join, clear,
 * acknowledge, resolve, reclassify) is written here; the timeline (timeline.ts), the grouping index
 * (grouping-index.ts), the grouping lock (grouping-lock.ts), the alarms' last OK (alarm-ok.ts) and the links'
 * nonces (link-nonces.ts) live in files of their own, and this class is their one entry point.
 */
export class IncidentStore {
  private readonly dynamo: StoreOptions['dynamo'];
  private readonly table: string;

  /** Opened by openStores (open-stores.ts). */
  public constructor(private readonly options: StoreOptions) {
    this.dynamo = options.dynamo;
    this.table = options.table;
  }

  /** The incident, read consistently; undefined when there is none. */
  public async get(incidentId: string): Promise<Incident | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keys.incident(incidentId), ConsistentRead: true }));
    return Item && toIncident(Item);
  }

  /** The timeline, oldest first. */
  public timeline(incidentId: string): Promise<TimelineEvent[]> {
    return readTimeline(this.options, incidentId);
  }

  /**
   * Adds an event to the timeline. With `onceKey`, the same (event time, key) is written once however often a
   * retry adds it.
   */
  public addEvent(incidentId: string, event: TimelineEvent, onceKey?: string): Promise<void> {
    return addEvent(this.options, incidentId, event, onceKey);
  }

  /**
   * The open incident a new alarm should join: one of a related alert on the same service, or one of the same
   * alert (any service) opened within the group window. Undefined when it opens its own.
   */
  public async findGroup(member: Member, related: ReadonlySet<string>, now: Date): Promise<string | undefined> {
    const candidate = await groupCandidate(this.options, member, related, now);
    if (candidate === undefined) return undefined;
    return (await this.get(candidate))?.status === 'open' ? candidate : undefined;
  }

  /** The open incident an alarm belongs to. */
  public async findByAlarm(alarmName: string): Promise<string | undefined> {
    return (await this.membership(alarmName))?.incidentId;
  }

  /**
   * Records that an alarm went OK at `at` (ISO 8601 UTC), kept only if newer than the one stored. EventBridge
   * delivers state changes in any order: an ALARM older than the alarm's last OK describes a state it has left.
   */
  public recordOk(alarmName: string, at: string): Promise<void> {
    return recordOk(this.options, alarmName, at);
  }

  /** When the alarm last went OK, as far as the starter has seen (ISO 8601 UTC). */
  public lastOk(alarmName: string): Promise<string | undefined> {
    return lastOk(this.options, alarmName);
  }

  /**
   * Roles one page of an incident already reached (`pageKey` names the page: the escalation step and its time), so
   * that a page retried after a partial failure does not reach them again.
   */
  public rolesReached(incidentId: string, pageKey: string): Promise<ReadonlySet<string>> {
    return rolesReached(this.options, incidentId, pageKey);
  }

  /** Records that a page reached a role (after SNS accepted it). */
  public markReached(incidentId: string, pageKey: string, role: string, at: string): Promise<void> {
    return markReached(this.options, incidentId, pageKey, role, at);
  }

  /** The alarm's entry in the index of open alarms, if any. */
  public membership(alarmName: string): Promise<Membership | undefined> {
    return membership(this.options, alarmName);
  }

  /**
   * Opens an incident with its first member, its grouping indexes and its first timeline event.
   * @returns false when the incident already exists (a duplicate event): nothing is written.
   */
  public async open(incident: Incident, member: Member, groupWindowUntil: string, event: TimelineEvent): Promise<boolean> {
    const { openAlarms, ...rest } = incident;
    return written(
      transactWrite(this.dynamo, {
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.incident(incident.incidentId),
                ...timeIndexed('incidents', incident.openedAt, incident.incidentId),
                ...rest,
                ...alarmSet(openAlarms),
                expiresAt: expiry(this.options, incident.openedAt),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...indexPuts(this.options, incident.incidentId, member, groupWindowUntil),
          { Put: { TableName: this.table, Item: eventItem(this.options, incident.incidentId, event) } },
        ],
      }),
      firstConditionFailed,
    );
  }

  /**
   * Adds an alarm to an open incident: its trigger to the list, its name to the set of open alarms (ADD: a
   * concurrent clear of another alarm is not overwritten). @returns `duplicate` when the trigger is already part
   * of it, `closed` when the incident was resolved meanwhile (the alarm must open a new one).
   */
  public async join(incidentId: string, member: Member, groupWindowUntil: string, event: TimelineEvent): Promise<JoinOutcome> {
    await this.migrateOpenAlarms(incidentId);
    const joined = await written(
      transactWrite(this.dynamo, {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.incident(incidentId),
              UpdateExpression: 'SET triggers = list_append(triggers, :trigger) ADD openAlarms :alarm',
              ConditionExpression: '#status = :open AND NOT contains(triggers, :t)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':trigger': [member.trigger], ':alarm': new Set([member.alarmName]), ':open': 'open', ':t': member.trigger },
            },
          },
          ...indexPuts(this.options, incidentId, member, groupWindowUntil, false),
          { Put: { TableName: this.table, Item: eventItem(this.options, incidentId, event) } },
        ],
      }),
      firstConditionFailed,
    );
    if (joined) return 'joined';
    const incident = await this.get(incidentId);
    return incident?.triggers.includes(member.trigger) ? 'duplicate' : 'closed';
  }

  /**
   * An alarm of the incident is OK again: its name leaves the set of open alarms (DELETE, one atomic update: a
   * concurrent join or clear is never overwritten). Idempotent: a retry finds it gone and changes nothing.
   * @returns the incident after the change (`openAlarms` empty: the caller may resolve it), `cleared` false when
   * the alarm was no longer a member or the incident no longer open.
   */
  public async alarmCleared(incidentId: string, alarmName: string): Promise<{ cleared: boolean; incident: Incident | undefined }> {
    await this.migrateOpenAlarms(incidentId);
    const update = this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.incident(incidentId),
        UpdateExpression: 'DELETE openAlarms :alarm',
        ConditionExpression: '#status = :open AND contains(openAlarms, :name)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':alarm': new Set([alarmName]), ':open': 'open', ':name': alarmName },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!(await written(update))) return { cleared: false, incident: await this.get(incidentId) };
    const { Attributes } = await update;
    return { cleared: true, incident: Attributes && toIncident(Attributes) };
  }

  /**
   * Removes an alarm's entry from the index of open alarms, if it is still the given membership: an entry the
   * alarm wrote since (it fired again and joined) is kept.
   */
  public releaseAlarm(alarmName: string, member: Membership): Promise<void> {
    return releaseAlarm(this.options, alarmName, member);
  }

  /**
   * Turns a list of open alarms (items written before the set) into the set, once: the condition makes a
   * concurrent migration a no-op. An empty list becomes no attribute, as an empty set is.
   */
  private async migrateOpenAlarms(incidentId: string): Promise<void> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.table, Key: keys.incident(incidentId), ProjectionExpression: 'openAlarms', ConsistentRead: true }),
    );
    const list = Item?.openAlarms;
    if (!Array.isArray(list)) return;
    await written(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.incident(incidentId),
          UpdateExpression: list.length ? 'SET openAlarms = :set' : 'REMOVE openAlarms',
          ConditionExpression: 'attribute_type(openAlarms, :list)',
          ExpressionAttributeValues: { ':list': 'L', ...(list.length ? { ':set': new Set(list as string[]) } : {}) },
        }),
      ),
    );
  }

  /**
   * Acknowledges an open incident. @throws IncidentStateError when it is resolved or already acknowledged.
   */
  public async acknowledge(incidentId: string, by: string, at: string): Promise<void> {
    await this.transition(
      incidentId,
      'SET ackedAt = :at, ackedBy = :by',
      '#status = :open AND attribute_not_exists(ackedAt)',
      { ':at': at, ':by': by },
      { type: 'ack', at, detail: `acknowledged by ${by}` },
    );
  }

  /**
   * Resolves an open incident and frees its grouping indexes. `whenNoOpenAlarms` (the last alarm went OK): only
   * if no alarm is in ALARM at the moment of the write, so an alarm that joined after the last OK keeps it open.
   * @throws IncidentStateError when it is not open (or, with `whenNoOpenAlarms`, an alarm is in ALARM again).
   */
  public async resolve(incidentId: string, by: string, at: string, note?: string, options: { whenNoOpenAlarms?: boolean } = {}): Promise<Incident> {
    const incident = await this.get(incidentId);
    if (!incident) throw new IncidentStateError(incidentId, 'no such incident');
    const seconds = Math.round((Date.parse(at) - Date.parse(incident.openedAt)) / 1000);
    await this.transition(
      incidentId,
      `SET #status = :resolved, resolvedAt = :at, resolvedBy = :by, timeToResolveSeconds = :ttr${note ? ', resolveNote = :note' : ''}`,
      options.whenNoOpenAlarms ? '#status = :open AND attribute_not_exists(openAlarms)' : '#status = :open',
      { ':resolved': 'resolved', ':at': at, ':by': by, ':ttr': seconds, ...(note ? { ':note': note } : {}) },
      { type: 'resolved', at, detail: `resolved by ${by} after ${formatDuration(seconds)}${note ? `: ${note}` : ''}`, data: { timeToResolveSeconds: seconds } },
    );
    // Read again: an alarm may have joined between the first read and the write; none can join any more.
    const final = (await this.get(incidentId)) ?? incident;
    await releaseIncidentAlarms(this.options, incidentId, final.openAlarms);
    return { ...final, status: 'resolved', resolvedAt: at, resolvedBy: by, timeToResolveSeconds: seconds, ...(note ? { resolveNote: note } : {}) };
  }

  /**
   * Raises the incident's severity and records its new escalation, before it starts (its ARN is recorded by
   * setExecution): the escalation waits for no silence any more.
   */
  public async reclassify(
    incidentId: string,
    severity: Severity,
    policyId: string,
    executionName: string,
    by: { alertId: string; at: string },
    event: TimelineEvent,
  ): Promise<void> {
    await this.transition(
      incidentId,
      'SET severity = :severity, policyId = :policy, executionName = :name, reclassifiedBy = :by REMOVE escalationDeferredUntil',
      '#status = :open',
      { ':severity': severity, ':policy': policyId, ':name': executionName, ':by': by },
      event,
    );
  }

  /** Records the incident's escalation execution; `deferredUntil` when it waits for a silence to end. */
  public async setExecution(incidentId: string, execution: { name: string; arn: string }, deferredUntil?: string): Promise<void> {
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.incident(incidentId),
        UpdateExpression: `SET executionName = :name, executionArn = :arn${deferredUntil ? ', escalationDeferredUntil = :until' : ''}`,
        ExpressionAttributeValues: { ':name': execution.name, ':arn': execution.arn, ...(deferredUntil ? { ':until': deferredUntil } : {}) },
      }),
    );
  }

  /** Incidents opened at or after `since`, newest first. */
  public async listSince(since: string): Promise<Incident[]> {
    return (await queryAll(this.dynamo, sinceInTimeIndex(this.table, TIME_PARTITION.incidents, since, true))).map(toIncident);
  }

  /** Marks a link's nonce as used. @returns false when it was used before (a replay). */
  public consumeNonce(nonce: string, expiresAtSeconds: number): Promise<boolean> {
    return consumeNonce(this.options, nonce, expiresAtSeconds);
  }

  /**
   * Runs `work` holding the environment's grouping lock, so that a burst of related alarms opens one incident.
   * The lock expires by itself (a crashed holder cannot block grouping for longer than `ttlMs`).
   */
  public withLock<T>(name: string, work: () => Promise<T>, limits: LockLimits = {}): Promise<T> {
    return withLock(this.options, name, work, { ...this.options.lockLimits, ...limits });
  }

  private async transition(incidentId: string, update: string, condition: string, values: Record<string, unknown>, event: TimelineEvent): Promise<void> {
    const changed = await written(
      transactWrite(this.dynamo, {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.incident(incidentId),
              UpdateExpression: update,
              ConditionExpression: `attribute_exists(pk) AND ${condition}`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':open': 'open', ...values },
            },
          },
          { Put: { TableName: this.table, Item: eventItem(this.options, incidentId, event) } },
        ],
      }),
      firstConditionFailed,
    );
    if (changed) return;
    const incident = await this.get(incidentId);
    const reason = !incident
      ? 'no such incident'
      : incident.status !== 'open'
        ? `already ${incident.status}`
        : condition.includes('openAlarms') && incident.openAlarms.length > 0
          ? `in ALARM again: ${incident.openAlarms.join(', ')}`
          : 'already acknowledged';
    throw new IncidentStateError(incidentId, reason);
  }
}
