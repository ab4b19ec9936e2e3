/**
 * The incident starter under concurrency and failure, against moto: EventBridge runs one starter per alarm
 * change, in parallel, and Lambda retries a failed one.
 *
 * The interleavings are forced, not timed: each concurrent starter gets its own DynamoDB client (real SDK v3,
 * sent to moto) with a gate in its middleware that holds a chosen request (the write of the incident item, or the
 * resolve) until the other starter has reached a point or finished. Every DynamoDB call of a test, the harness's
 * included, is then sent to moto one at a time: moto 5.2's TransactWriteItems is not safe under concurrent
 * requests (a cancelled transaction restores a copy of the whole table, undoing other requests' writes;
 * TOOLCHAIN.md). The races tested here are between the starters' read, write and resolve steps, which the gates
 * order; serializing single requests does not hide them.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EscalationDeps } from '../../lambdas/escalation/deps';
import { onAlarmStateChange, type StartOutcome } from '../../lambdas/escalation/incident-lifecycle';
import type { EscalationRunner } from '../../lambdas/escalation/runner';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import { alarmName } from '../../lib/core/catalog';
import { alarmStateChangeEvent, type AlarmChange } from '../../tools/drill/notifications';
import { useEscalation, type EscalationHarness } from '../support/escalation';
import { fleetConfig } from '../support/config';

const { fresh } = useEscalation();
const MINUTE = 60_000;

// ----- forcing interleavings --------------------------------------------------------------------------------

/** Decides, for one request of one starter's client, whether it waits: the promise it waits for, or undefined. */
type Hold = (command: string, input: string) => Promise<unknown> | undefined;

/** One request queue for every DynamoDB client of a test (see the header: moto's transactions). */
function serialQueue() {
  let tail: Promise<void> = Promise.resolve();
  return async <T>(send: () => Promise<T>): Promise<T> => {
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await send();
    } finally {
      release();
    }
  };
}
type Serial = ReturnType<typeof serialQueue>;

/** Adds the serial queue to a client, after any hold (a held request must not block the queue). */
function serialize(client: DynamoDBDocumentClient, serial: Serial): void {
  client.middlewareStack.add((next) => (args) => serial(() => next(args)), { step: 'build', name: 'serialForMoto' });
}

/** A DynamoDB client to moto for one starter, with its holds. */
function gatedClient(h: EscalationHarness, serial: Serial, hold: Hold): DynamoDBDocumentClient {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...h.moto.clientConfig, maxAttempts: 2 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const wait = hold(String((context as { commandName?: string }).commandName), JSON.stringify(args.input));
      if (wait) await wait;
      return next(args);
    },
    { step: 'initialize', name: 'holdForTest', priority: 'high' },
  );
  serialize(client, serial);
  return client;
}

/** The escalation's dependencies for one more starter, on its own gated client. */
function starter(h: EscalationHarness, serial: Serial, hold: Hold, runner?: EscalationRunner): EscalationDeps {
  return {
    ...h.deps,
    store: openStores({
      dynamo: gatedClient(h, serial, hold),
      table: h.sample.auditTable,
      retentionDays: h.config.automation.auditRetentionDays,
      now: h.deps.now,
    }).incidents,
    ...(runner ? { runner } : {}),
  };
}

const WRITES = /^(Put|Update|Delete|TransactWrite)/;
/** A write of the incident item itself (not of its timeline events or indexes). */
const writesIncident = (command: string, input: string) => WRITES.test(command) && /"sk":(\{"S":)?"INCIDENT"/.test(input);
/** The write that marks the incident resolved. */
const resolves = (command: string, input: string) => WRITES.test(command) && input.includes('":resolved"');

/** A point both starters must reach before either goes on; `met` says whether it was (rather than timed out). */
function barrier(parties: number, timeoutMs = 10_000) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const state = { met: false };
  const timer = setTimeout(open, timeoutMs);
  return {
    state,
    arrive(): Promise<void> {
      if (++arrived === parties) {
        state.met = true;
        clearTimeout(timer);
        open();
      }
      return opened;
    },
  };
}

/** Holds the first request matching `match`; `reached` settles when it is held, `release()` lets it go. */
function holdFirst(match: (command: string, input: string) => boolean) {
  let release!: () => void;
  let reachedResolve!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reachedResolve = resolve));
  let held = false;
  const hold: Hold = (command, input) => {
    if (held || !match(command, input)) return undefined;
    held = true;
    reachedResolve();
    return released;
  };
  return { hold, reached, release };
}

// ----- the world --------------------------------------------------------------------------------------------

const API = 'chatbot-api';
const errors: AlarmChange = { alertId: 'HighAPIErrorRate', instance: API };
const latency: AlarmChange = { alertId: 'HighAPILatency', instance: API };
const ok = (change: AlarmChange): AlarmChange => ({ ...change, newState: 'OK', oldState: 'ALARM' });

/** Real time (the first page only is due), every DynamoDB call of the harness on the test's queue. */
async function world(serial: Serial, options: Parameters<typeof fresh>[0] = {}): Promise<EscalationHarness> {
  const h = await fresh({ ...options });
  serialize(h.clients.dynamo, serial);
  return h;
}

async function opened(h: EscalationHarness, changes: AlarmChange[]): Promise<string> {
  const first = await h.event(alarmStateChangeEvent(h.config, { ...changes[0]!, at: new Date(Date.now() - 2 * MINUTE) }));
  assert.equal(first.outcome, 'opened', JSON.stringify(first));
  const id = (first as { incidentId: string }).incidentId;
  for (const change of changes.slice(1))
    assert.equal((await h.event(alarmStateChangeEvent(h.config, { ...change, at: new Date(Date.now() - MINUTE) }))).outcome, 'joined');
  return id;
}

async function resolvedEvents(h: EscalationHarness, id: string): Promise<number> {
  return (await h.deps.store.timeline(id)).filter((e) => e.type === 'resolved' && e.detail.startsWith('resolved by')).length;
}

// ----- the tests --------------------------------------------------------------------------------------------

describe('incident starter: concurrent alarm changes of one incident', () => {
  it('two alarms going OK together: both leave the incident, which resolves exactly once', async () => {
    // GIVEN an open incident with two alarms in ALARM
    const serial = serialQueue();
    const h = await world(serial);
    const id = await opened(h, [errors, latency]);
    assert.deepEqual(
      (await h.deps.store.get(id))!.openAlarms,
      [alarmName(h.config.prefix, 'HighAPIErrorRate', API), alarmName(h.config.prefix, 'HighAPILatency', API)].sort(),
    );
    // WHEN both go OK and two starters run at once, each holding its write of the incident until the other has
    // read it and is about to write too
    const both = barrier(2);
    const hold: Hold = (command, input) => (writesIncident(command, input) ? both.arrive() : undefined);
    const [a, b] = await Promise.all([
      onAlarmStateChange(starter(h, serial, hold), alarmStateChangeEvent(h.config, ok(errors))),
      onAlarmStateChange(starter(h, serial, hold), alarmStateChangeEvent(h.config, ok(latency))),
    ]);
    // THEN the interleaving happened, and exactly one of them resolved the incident
    assert.ok(both.state.met, 'both starters reached their write of the incident before either wrote');
    const outcomes = [a, b] as Extract<StartOutcome, { outcome: 'cleared' }>[];
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['cleared', 'cleared'],
      JSON.stringify(outcomes),
    );
    assert.equal(outcomes.filter((o) => o.resolved).length, 1, JSON.stringify(outcomes));
    const incident = (await h.deps.store.get(id))!;
    assert.equal(incident.status, 'resolved');
    assert.deepEqual(incident.openAlarms, []);
    assert.equal(await resolvedEvents(h, id), 1, 'one "resolved by alarm OK" in the timeline');
    assert.equal(await h.runner.executions.get(incident.executionName!)!.done, 'aborted', 'the escalation was stopped');
    for (const change of [errors, latency])
      assert.equal(await h.deps.store.findByAlarm(alarmName(h.config.prefix, change.alertId, change.instance)), undefined);
  });

  for (const [when, match] of [
    ['after the OK read the incident and before it writes', writesIncident],
    ['after the OK emptied the incident and before it resolves it', resolves],
  ] as const) {
    it(`an alarm joining ${when}: the joined alarm stays, the incident stays open until that alarm is OK too`, async () => {
      // GIVEN an open incident with one alarm
      const serial = serialQueue();
      const h = await world(serial);
      const id = await opened(h, [errors]);
      // WHEN its alarm goes OK, and a related alarm joins while that starter is held at the chosen step
      const gate = holdFirst(match);
      const clearing = onAlarmStateChange(starter(h, serial, gate.hold), alarmStateChangeEvent(h.config, ok(errors)));
      await gate.reached;
      const joined = await onAlarmStateChange(
        starter(h, serial, () => undefined),
        alarmStateChangeEvent(h.config, latency),
      );
      gate.release();
      const cleared = await clearing;
      // THEN the join stands: the incident is open with the joined alarm only
      assert.equal(joined.outcome, 'joined', JSON.stringify(joined));
      assert.deepEqual(cleared, { outcome: 'cleared', incidentId: id, resolved: false });
      const incident = (await h.deps.store.get(id))!;
      assert.equal(incident.status, 'open');
      assert.deepEqual(incident.openAlarms, [alarmName(h.config.prefix, 'HighAPILatency', API)]);
      assert.equal(await resolvedEvents(h, id), 0);
      // AND the joined alarm's own OK later resolves it (rather than finding no incident and being lost)
      const last = await onAlarmStateChange(
        starter(h, serial, () => undefined),
        alarmStateChangeEvent(h.config, ok(latency)),
      );
      assert.deepEqual(last, { outcome: 'cleared', incidentId: id, resolved: true });
      assert.equal(await resolvedEvents(h, id), 1);
    });
  }

  it('a storm: 6 alarms of one incident going OK while 4 more fire, all at once; every alarm in ALARM ends in an open incident that lists it', async () => {
    // GIVEN HighAPIErrorRate in ALARM on 6 of 10 services: one incident (the same alert within the group window)
    const serial = serialQueue();
    const services = fleetConfig(10).services.map(({ stack: _s, ...s }) => ({
      ...s,
      rds: s.rds ? { instanceId: s.rds.instanceId, maxConnections: s.rds.maxConnections } : undefined,
    }));
    const h = await world(serial, { config: { services } });
    const change = (i: number): AlarmChange => ({ alertId: 'HighAPIErrorRate', instance: services[i]!.name });
    const id = await opened(h, [0, 1, 2, 3, 4, 5].map(change));
    // WHEN the 6 go OK and the other 4 fire, one starter each, all at once (no hold: the queue interleaves them)
    const outcomes = await Promise.all([
      ...[0, 1, 2, 3, 4, 5].map((i) =>
        onAlarmStateChange(
          starter(h, serial, () => undefined),
          alarmStateChangeEvent(h.config, ok(change(i))),
        ),
      ),
      ...[6, 7, 8, 9].map((i) =>
        onAlarmStateChange(
          starter(h, serial, () => undefined),
          alarmStateChangeEvent(h.config, change(i)),
        ),
      ),
    ]);
    // THEN the cleared alarms belong to no incident, each firing one to an open incident that lists it, and no
    // incident resolved more than once
    for (const i of [0, 1, 2, 3, 4, 5])
      assert.equal(await h.deps.store.findByAlarm(alarmName(h.config.prefix, 'HighAPIErrorRate', services[i]!.name)), undefined, `alarm ${i}`);
    const incidents = new Set([id]);
    for (const i of [6, 7, 8, 9]) {
      const name = alarmName(h.config.prefix, 'HighAPIErrorRate', services[i]!.name);
      const owner = await h.deps.store.findByAlarm(name);
      assert.ok(owner, `${name} belongs to an incident: ${JSON.stringify(outcomes)}`);
      const incident = (await h.deps.store.get(owner))!;
      assert.equal(incident.status, 'open', `${name}'s incident is open`);
      assert.ok(incident.openAlarms.includes(name), `${name} is listed in its incident's open alarms`);
      incidents.add(owner);
    }
    // AND every incident lists exactly its alarms still in ALARM, and is resolved (once) when it has none left
    const cleared = new Set([0, 1, 2, 3, 4, 5].map((i) => alarmName(h.config.prefix, 'HighAPIErrorRate', services[i]!.name)));
    for (const incidentId of incidents) {
      const incident = (await h.deps.store.get(incidentId))!;
      assert.deepEqual(
        incident.openAlarms.filter((a) => cleared.has(a)),
        [],
        `${incidentId} lists no alarm that is OK`,
      );
      assert.equal(incident.status, incident.openAlarms.length === 0 ? 'resolved' : 'open', `${incidentId}: ${JSON.stringify(incident.openAlarms)}`);
      assert.equal(await resolvedEvents(h, incidentId), incident.status === 'resolved' ? 1 : 0);
    }
  });

  it('an incident stored with a list of open alarms (before the set) is read and changed as a set', async () => {
    // GIVEN an incident of two alarms as the previous version stored it: openAlarms a list
    const serial = serialQueue();
    const h = await world(serial);
    const id = await opened(h, [errors, latency]);
    const names = [errors, latency].map((c) => alarmName(h.config.prefix, c.alertId, c.instance));
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await h.clients.dynamo.send(
      new UpdateCommand({
        TableName: h.sample.auditTable,
        Key: { pk: `INCIDENT#${id}`, sk: 'INCIDENT' },
        UpdateExpression: 'SET openAlarms = :list',
        ExpressionAttributeValues: { ':list': names },
      }),
    );
    assert.deepEqual((await h.deps.store.get(id))!.openAlarms, names);
    // WHEN both go OK together
    const both = barrier(2);
    const hold: Hold = (command, input) =>
      writesIncident(command, input) && command.startsWith('Update') && input.includes('DELETE') ? both.arrive() : undefined;
    const outcomes = await Promise.all([ok(errors), ok(latency)].map((c) => onAlarmStateChange(starter(h, serial, hold), alarmStateChangeEvent(h.config, c))));
    // THEN it resolves once, as one stored as a set does
    assert.ok(both.state.met);
    assert.equal(outcomes.filter((o) => o.outcome === 'cleared' && o.resolved).length, 1, JSON.stringify(outcomes));
    assert.equal((await h.deps.store.get(id))!.status, 'resolved');
    assert.equal(await resolvedEvents(h, id), 1);
  });
});

describe('incident starter: a start that failed half-way is finished by the retry', () => {
  for (const [how, fail] of [
    ['StartExecution fails (throttled, no execution)', 'before'],
    ['StartExecution times out after the execution started (its answer lost)', 'after'],
  ] as const) {
    it(`${how}: Lambda's retry starts the escalation; one execution, one first page`, async () => {
      // GIVEN a runner whose first start fails
      const serial = serialQueue();
      const h = await world(serial);
      let calls = 0;
      const flaky: EscalationRunner = {
        async start(name, input) {
          if (++calls === 1) {
            if (fail === 'after') await h.runner.start(name, input);
            throw new Error('StartExecution: Rate exceeded');
          }
          return h.runner.start(name, input);
        },
        stop: (arn, cause) => h.runner.stop(arn, cause),
      };
      const deps = starter(h, serial, () => undefined, flaky);
      const event = alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop' });
      // WHEN the starter fails after storing the incident, and Lambda retries the same event
      await assert.rejects(onAlarmStateChange(deps, event), /Rate exceeded/);
      const [stored] = await h.deps.store.listSince(new Date(Date.now() - MINUTE).toISOString());
      assert.ok(stored && stored.executionName !== undefined && stored.executionArn === undefined, 'the incident is stored, its escalation not recorded');
      const retry = await onAlarmStateChange(deps, event);
      // THEN the retry started it, and a further duplicate changes nothing
      assert.equal(retry.outcome, 'resumed', JSON.stringify(retry));
      assert.equal((await onAlarmStateChange(deps, event)).outcome, 'ignored');
      const incident = (await h.deps.store.get(stored.incidentId))!;
      assert.equal(incident.executionArn, (retry as { executionArn: string }).executionArn);
      assert.equal(h.runner.executions.size, 1);
      await h.stepRan(0, incident.incidentId);
      const pages = (await h.deps.store.timeline(incident.incidentId)).filter((e) => e.type === 'page');
      assert.equal(pages.length, 1, 'the first step paged once');
      const inbox = await h.inbox();
      assert.equal(inbox.filter((p) => p.role === 'on-call-primary').length, 1, 'on-call primary received one page');
    });
  }
});

describe('incident starter: a re-classification that failed half-way is finished by the retry', () => {
  it("the new escalation's start fails: the retry stops the old one and starts the new one; one re-classification", async () => {
    // GIVEN a P2 incident (HighAPILatency) with its escalation running (its first step paged), and a runner whose
    // next start fails
    const serial = serialQueue();
    const h = await world(serial);
    const id = await opened(h, [latency]);
    await h.stepRan(0, id);
    const before = (await h.deps.store.get(id))!;
    let fail = true;
    const flaky: EscalationRunner = {
      async start(name, input) {
        if (fail) {
          fail = false;
          throw new Error('StartExecution: Rate exceeded');
        }
        return h.runner.start(name, input);
      },
      stop: (arn, cause) => h.runner.stop(arn, cause),
    };
    const deps = starter(h, serial, () => undefined, flaky);
    const critical = alarmStateChangeEvent(h.config, { alertId: 'CriticalAPILatency', instance: API });
    // WHEN a P1 alert of the same service joins, the switch to its escalation fails, and Lambda retries the event
    await assert.rejects(onAlarmStateChange(deps, critical), /Rate exceeded/);
    const retry = await onAlarmStateChange(deps, critical);
    // THEN the retry finished it: the P2 escalation stopped, the P1 one running and recorded, one re-classification
    assert.equal(retry.outcome, 'resumed', JSON.stringify(retry));
    const after = (await h.deps.store.get(id))!;
    assert.equal(after.severity, 'P1');
    assert.notEqual(after.executionArn, before.executionArn);
    assert.equal(after.executionArn, (retry as { executionArn: string }).executionArn);
    assert.equal(await h.runner.executions.get(before.executionName!)!.done, 'aborted');
    assert.equal(h.runner.executions.size, 2);
    assert.deepEqual((h.runner.executions.get(after.executionName!)!.input.steps[0]!.roles as string[]).slice().sort(), [
      'customer-success',
      'incident-commander',
      'on-call-primary',
    ]);
    assert.equal((await onAlarmStateChange(deps, critical)).outcome, 'ignored', 'a further duplicate changes nothing');
    await h.stepRan(0, after.executionName);
    const timeline = await h.deps.store.timeline(id);
    assert.equal(timeline.filter((e) => e.type === 'reclassified').length, 1);
    assert.deepEqual(
      timeline.filter((e) => e.type === 'page').map((e) => (e.data?.roles as string[]).join('+')),
      ['on-call-primary+customer-success', 'on-call-primary+incident-commander+customer-success'],
    );
  });
});
