import { createHash, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Severity } from '../../../lib/catalog';
import { batchGetAll, firstConditionFailed, isConditionFailure, queryAll, sinceInTimeIndex, transactionConditionFailed, transactWrite, written } from '../dynamo';
import { AlertingError } from '../errors';

/** Where an incident stands. */
export type IncidentStatus = 'open' | 'resolved';

/** One incident: alarms of one problem, grouped, with one escalation. */
export interface Incident {
  readonly incidentId: string;
  /** The alarm that opened it, and its alert. */
  readonly alarmName: string;
  readonly alertId: string;
  readonly service: string | undefined;
  readonly severity: Severity;
  readonly policyId: string;
  readonly summary: string;
  readonly runbookUrl: string;
  readonly customerFacing: boolean;
  readonly status: IncidentStatus;
  readonly openedAt: string;
  /** Every alarm transition that is part of the incident (the responder's action keys). */
  readonly triggers: readonly string[];
  /**
   * Alarms of the incident still in ALARM; it resolves when the last one returns to OK. Stored as a DynamoDB string
   * set changed only with ADD and DELETE (absent when empty), so concurrent joins and clears never overwrite each
   * other; items written before that hold a list, read as well and turned into a set before their first change.
   */
  readonly openAlarms: readonly string[];
  /**
   * The escalation execution's name, recorded with the incident before the execution is started: set without
   * `executionArn`, the start did not finish, and a retry of the starter starts it (same name, same input).
   */
  readonly executionName?: string;
  /** The execution started under `executionName`; one of an earlier name is the escalation being replaced. */
  readonly executionArn?: string;
  /**
   * Set when a re-classification replaced the escalation: the alert whose policy it follows, from `at`. Absent,
   * it follows the opening alert's from the opening (or the silence's end).
   */
  readonly reclassifiedBy?: { readonly alertId: string; readonly at: string };
  /**
   * Set while the escalation waits for a silence to end (every alarm so far was silenced): its timetable starts
   * then, and each step pages only if the incident is still open and no longer silenced. Cleared when an
   * unsilenced alarm joins and the escalation starts at once.
   */
  readonly escalationDeferredUntil?: string;
  readonly ackedAt?: string;
  readonly ackedBy?: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  readonly resolveNote?: string;
  readonly timeToResolveSeconds?: number;
}

/** What happened to an incident, in order: the timeline on-call and the post-incident review read. */
export interface TimelineEvent {
  readonly at: string;
  /** `integration`: an integration did something (channel created, status page opened, ticket filed); `data.integration` names it. */
  readonly type:
    | 'fired'
    | 'joined'
    | 'page'
    | 'ticket'
    | 'ack'
    | 'reclassified'
    | 'action'
    | 'verified'
    | 'ineffective'
    | 'resolved'
    | 'silenced'
    | 'integration'
    | 'integration-failed'
    | 'skipped-step';
  readonly detail: string;
  readonly data?: Record<string, unknown>;
}

/** An incident changed underneath the caller (resolved already, acked already). */
export class IncidentStateError extends AlertingError {
  public constructor(
    public readonly incidentId: string,
    public readonly reason: string,
  ) {
    super(`incident ${incidentId}: ${reason}`);
  }
}

const TIME_PARTITION = 'INCIDENTS';
const key = {
  incident: (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'INCIDENT' }),
  openAlarm: (alarmName: string) => ({ pk: `OPENALARM#${alarmName}`, sk: 'OPEN' }),
  openAlert: (alertId: string, service: string | undefined) => ({ pk: `OPENALERT#${alertId}#${service ?? '-'}`, sk: 'OPEN' }),
  recent: (alertId: string) => ({ pk: `RECENT#${alertId}`, sk: 'RECENT' }),
  lock: (name: string) => ({ pk: `LOCK#${name}`, sk: 'LOCK' }),
  nonce: (nonce: string) => ({ pk: `NONCE#${nonce}`, sk: 'NONCE' }),
  lastOk: (alarmName: string) => ({ pk: `LASTOK#${alarmName}`, sk: 'LASTOK' }),
};

/** What joining an incident did: joined it, found the trigger already in it, or found it no longer open. */
export type JoinOutcome = 'joined' | 'duplicate' | 'closed';

/** An alarm's entry in the index of open alarms: its incident, and the transition that made it a member. */
export interface Membership {
  readonly incidentId: string;
  /** Absent on entries written before it was recorded. */
  readonly trigger?: string;
}

/** A member of an incident, as the grouping rules see it. */
export interface Member {
  readonly alarmName: string;
  readonly alertId: string;
  readonly service: string | undefined;
  /** transitionKey(alarmName, stateChangeTime) */
  readonly trigger: string;
}

/**
 * Incidents, their timelines and the grouping indexes, in the audit table. All multi-item changes are
 * transactions, so an incident is never half-opened or half-joined.
 */
export class IncidentStore {
  public constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  public async get(incidentId: string): Promise<Incident | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: key.incident(incidentId), ConsistentRead: true }));
    return Item && toIncident(Item);
  }

  /** The timeline, oldest first. */
  public async timeline(incidentId: string): Promise<TimelineEvent[]> {
    const items = await queryAll(this.dynamo, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
      ExpressionAttributeValues: { ':pk': key.incident(incidentId).pk, ':events': 'EVENT#' },
      ConsistentRead: true,
    });
    return items.map((i) => ({ at: i.at as string, type: i.type as TimelineEvent['type'], detail: i.detail as string, ...(i.data ? { data: i.data as Record<string, unknown> } : {}) }));
  }

  /**
   * Adds an event to the timeline. With `onceKey`, the same (event time, key) is written once however often a
   * retry adds it.
   */
  public async addEvent(incidentId: string, event: TimelineEvent, onceKey?: string): Promise<void> {
    await this.dynamo.send(new PutCommand({ TableName: this.table, Item: this.eventItem(incidentId, event, onceKey) }));
  }

  /**
   * The open incident a new alarm should join: one of a related alert on the same service, or one of the same
   * alert (any service) opened within the group window. Undefined when it opens its own.
   */
  public async findGroup(member: Member, related: ReadonlySet<string>, now: Date): Promise<string | undefined> {
    // The alert itself too: the same alarm firing again while its incident is still open rejoins it.
    const keys = [member.alertId, ...related].map((alertId) => key.openAlert(alertId, member.service));
    keys.push(key.recent(member.alertId));
    const found = await batchGetAll(this.dynamo, this.table, keys, { consistentRead: true });
    const recent = found.find((item) => String(item.pk).startsWith('RECENT#') && String(item.until) > now.toISOString());
    const related_ = found.find((item) => String(item.pk).startsWith('OPENALERT#'));
    const candidate = (related_ ?? recent)?.incidentId as string | undefined;
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
  public async recordOk(alarmName: string, at: string): Promise<void> {
    await written(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key.lastOk(alarmName), at, expiresAt: this.expiry(at) },
          ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  /** When the alarm last went OK, as far as the starter has seen (ISO 8601 UTC). */
  public async lastOk(alarmName: string): Promise<string | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: key.lastOk(alarmName), ConsistentRead: true }));
    return Item?.at as string | undefined;
  }

  /**
   * Roles one page of an incident already reached (`pageKey` names the page: the escalation step and its time), so
   * that a page retried after a partial failure does not reach them again.
   */
  public async rolesReached(incidentId: string, pageKey: string): Promise<ReadonlySet<string>> {
    const items = await queryAll(this.dynamo, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
      ExpressionAttributeValues: { ':pk': key.incident(incidentId).pk, ':page': `PAGED#${pageKey}#` },
      ConsistentRead: true,
    });
    return new Set(items.map((i) => i.role as string));
  }

  /** Records that a page reached a role (after SNS accepted it). */
  public async markReached(incidentId: string, pageKey: string, role: string, at: string): Promise<void> {
    await this.dynamo.send(new PutCommand({ TableName: this.table, Item: { pk: key.incident(incidentId).pk, sk: `PAGED#${pageKey}#${role}`, role, at, expiresAt: this.expiry(at) } }));
  }

  /** The alarm's entry in the index of open alarms, if any. */
  public async membership(alarmName: string): Promise<Membership | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: key.openAlarm(alarmName), ConsistentRead: true }));
    if (!Item) return undefined;
    return { incidentId: Item.incidentId as string, ...(typeof Item.trigger === 'string' ? { trigger: Item.trigger } : {}) };
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
              Item: { ...key.incident(incident.incidentId), gsi1pk: TIME_PARTITION, gsi1sk: `${incident.openedAt}#${incident.incidentId}`, ...rest, ...alarmSet(openAlarms), expiresAt: this.expiry(incident.openedAt) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...this.indexPuts(incident.incidentId, member, groupWindowUntil),
          { Put: { TableName: this.table, Item: this.eventItem(incident.incidentId, event) } },
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
              Key: key.incident(incidentId),
              UpdateExpression: 'SET triggers = list_append(triggers, :trigger) ADD openAlarms :alarm',
              ConditionExpression: '#status = :open AND NOT contains(triggers, :t)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':trigger': [member.trigger], ':alarm': new Set([member.alarmName]), ':open': 'open', ':t': member.trigger },
            },
          },
          ...this.indexPuts(incidentId, member, groupWindowUntil, false),
          { Put: { TableName: this.table, Item: this.eventItem(incidentId, event) } },
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
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.incident(incidentId),
          UpdateExpression: 'DELETE openAlarms :alarm',
          ConditionExpression: '#status = :open AND contains(openAlarms, :name)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':alarm': new Set([alarmName]), ':open': 'open', ':name': alarmName },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { cleared: true, incident: Attributes && toIncident(Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { cleared: false, incident: await this.get(incidentId) };
    }
  }

  /**
   * Removes an alarm's entry from the index of open alarms, if it is still the given membership: an entry the
   * alarm wrote since (it fired again and joined) is kept.
   */
  public async releaseAlarm(alarmName: string, membership: Membership): Promise<void> {
    const names = { '#trigger': 'trigger' };
    await written(
      this.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key.openAlarm(alarmName),
          ConditionExpression: `incidentId = :id AND ${membership.trigger === undefined ? 'attribute_not_exists(#trigger)' : '#trigger = :trigger'}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':id': membership.incidentId, ...(membership.trigger === undefined ? {} : { ':trigger': membership.trigger }) },
        }),
      ),
    );
  }

  /**
   * Turns a list of open alarms (items written before the set) into the set, once: the condition makes a
   * concurrent migration a no-op. An empty list becomes no attribute, as an empty set is.
   */
  private async migrateOpenAlarms(incidentId: string): Promise<void> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: key.incident(incidentId), ProjectionExpression: 'openAlarms', ConsistentRead: true }));
    const list = Item?.openAlarms;
    if (!Array.isArray(list)) return;
    await written(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key.incident(incidentId),
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
    await this.transition(incidentId, 'SET ackedAt = :at, ackedBy = :by', '#status = :open AND attribute_not_exists(ackedAt)', { ':at': at, ':by': by }, { type: 'ack', at, detail: `acknowledged by ${by}` });
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
    await Promise.all(
      final.openAlarms.map((alarm) => this.dynamo.send(new DeleteCommand({ TableName: this.table, Key: key.openAlarm(alarm), ConditionExpression: 'incidentId = :id', ExpressionAttributeValues: { ':id': incidentId } })).catch(() => undefined)),
    );
    return { ...final, status: 'resolved', resolvedAt: at, resolvedBy: by, timeToResolveSeconds: seconds, ...(note ? { resolveNote: note } : {}) };
  }

  /**
   * Raises the incident's severity and records its new escalation, before it starts (its ARN is recorded by
   * setExecution): the escalation waits for no silence any more.
   */
  public async reclassify(incidentId: string, severity: Severity, policyId: string, executionName: string, by: { alertId: string; at: string }, event: TimelineEvent): Promise<void> {
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
        Key: key.incident(incidentId),
        UpdateExpression: `SET executionName = :name, executionArn = :arn${deferredUntil ? ', escalationDeferredUntil = :until' : ''}`,
        ExpressionAttributeValues: { ':name': execution.name, ':arn': execution.arn, ...(deferredUntil ? { ':until': deferredUntil } : {}) },
      }),
    );
  }

  /** Incidents opened at or after `since`, newest first. */
  public async listSince(since: string): Promise<Incident[]> {
    return (await queryAll(this.dynamo, sinceInTimeIndex(this.table, TIME_PARTITION, since, true))).map(toIncident);
  }

  /** Marks a link's nonce as used. @returns false when it was used before (a replay). */
  public async consumeNonce(nonce: string, expiresAtSeconds: number): Promise<boolean> {
    return written(this.dynamo.send(new PutCommand({ TableName: this.table, Item: { ...key.nonce(nonce), expiresAt: expiresAtSeconds + 86_400 }, ConditionExpression: 'attribute_not_exists(pk)' })));
  }

  /**
   * Runs `work` holding the environment's grouping lock, so that a burst of related alarms opens one incident.
   * The lock expires by itself (a crashed holder cannot block grouping for longer than `ttlMs`).
   */
  public async withLock<T>(name: string, work: () => Promise<T>, options: { ttlMs?: number; timeoutMs?: number } = {}): Promise<T> {
    const ttl = options.ttlMs ?? 10_000;
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const owner = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      try {
        await this.dynamo.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...key.lock(name), owner, until: now + ttl, expiresAt: Math.floor((now + ttl) / 1000) + 3600 },
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        break;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        if (Date.now() > deadline) throw new AlertingError(`could not take the ${name} lock within ${options.timeoutMs ?? 30_000} ms`);
        await new Promise((r) => setTimeout(r, Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random())));
      }
    }
    try {
      return await work();
    } finally {
      await this.dynamo
        .send(new DeleteCommand({ TableName: this.table, Key: key.lock(name), ConditionExpression: '#owner = :owner', ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': owner } }))
        .catch(() => undefined);
    }
  }

  private async transition(incidentId: string, update: string, condition: string, values: Record<string, unknown>, event: TimelineEvent): Promise<void> {
    try {
      await transactWrite(this.dynamo, {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: key.incident(incidentId),
              UpdateExpression: update,
              ConditionExpression: `attribute_exists(pk) AND ${condition}`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':open': 'open', ...values },
            },
          },
          { Put: { TableName: this.table, Item: this.eventItem(incidentId, event) } },
        ],
      });
    } catch (error) {
      if (!transactionConditionFailed(error, 0)) throw error;
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

  private indexPuts(incidentId: string, member: Member, groupWindowUntil: string, recent = true) {
    const expiresAt = this.expiry(new Date().toISOString());
    return [
      { Put: { TableName: this.table, Item: { ...key.openAlarm(member.alarmName), incidentId, trigger: member.trigger, expiresAt } } },
      { Put: { TableName: this.table, Item: { ...key.openAlert(member.alertId, member.service), incidentId, expiresAt } } },
      ...(recent ? [{ Put: { TableName: this.table, Item: { ...key.recent(member.alertId), incidentId, until: groupWindowUntil, expiresAt } } }] : []),
    ];
  }

  private eventItem(incidentId: string, event: TimelineEvent, onceKey?: string) {
    const suffix = onceKey === undefined ? randomUUID().slice(0, 8) : createHash('sha256').update(onceKey).digest('hex').slice(0, 8);
    return { pk: key.incident(incidentId).pk, sk: `EVENT#${event.at}#${suffix}`, ...event, expiresAt: this.expiry(event.at) };
  }

  private expiry(fromIso: string): number {
    return Math.floor(Date.parse(fromIso) / 1000) + this.retentionDays * 86_400;
  }
}

function toIncident(item: Record<string, unknown>): Incident {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, expiresAt: _e, openAlarms, ...incident } = item;
  // A string set (absent when empty), or a list on items written before the set.
  const alarms = openAlarms instanceof Set ? [...(openAlarms as Set<string>)].sort() : Array.isArray(openAlarms) ? (openAlarms as string[]) : [];
  return { ...incident, openAlarms: alarms } as unknown as Incident;
}

/** The open alarms as a string set; no attribute when there are none (DynamoDB stores no empty set). */
function alarmSet(alarms: readonly string[]): { openAlarms?: Set<string> } {
  return alarms.length ? { openAlarms: new Set(alarms) } : {};
}

/** 5400 -> "1h30m" */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${s ? `${String(s).padStart(2, '0')}s` : ''}` : `${s}s`;
}
