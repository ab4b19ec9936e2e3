import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alarmName } from '../../lib/core/catalog';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { useEscalation } from '../support/escalation';
import { DEFAULT_INPUT, fleetConfig, HOME_SERVICE } from '../support/config';

const { fresh } = useEscalation();

describe('grouping: related alarms consolidate into one incident', () => {
  it('a burst of 20 related alarms inside the group window opens one incident, one execution and one page', async () => {
    // GIVEN a fleet of 20 services (the same alert on many services: a region outage) plus related alerts
    const services = fleetConfig(20).services.map(({ stack: _s, ...s }) => ({
      ...s,
      rds: s.rds ? { instanceId: s.rds.instanceId, maxConnections: s.rds.maxConnections } : undefined,
    }));
    const h = await fresh({ config: { services } }); // real time: only the first step is due
    const at = new Date();
    // WHEN HighAPIErrorRate fires on all 20 services at once
    const outcomes = await Promise.all(
      services.map((s, i) => h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPIErrorRate', instance: s.name, at: new Date(at.getTime() + i) }))),
    );
    // THEN one incident opened, the others joined it
    const opened = outcomes.filter((o) => o.outcome === 'opened');
    assert.equal(opened.length, 1, JSON.stringify(outcomes));
    const id = (opened[0] as { incidentId: string }).incidentId;
    assert.ok(outcomes.every((o) => (o as { incidentId?: string }).incidentId === id));
    assert.equal(h.runner.executions.size, 1);
    await h.stepRan(0, id);
    const timeline = await h.deps.store.timeline(id);
    assert.equal(timeline.filter((e) => e.type === 'page').length, 1);
    assert.equal(timeline.filter((e) => e.type === 'joined').length, 19, 'the timeline shows every alarm that joined');
    assert.equal((await h.deps.store.get(id))!.triggers.length, 20);
  });

  it('a related alert of the same service joins; an unrelated alarm in the same window opens its own', async () => {
    const h = await fresh();
    const first = await h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }));
    const related = await h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPILatency', instance: 'chatbot-api' }));
    const unrelated = await h.event(alarmStateChangeEvent(h.config, { alertId: 'AuthFailureBurst' }));
    assert.equal(first.outcome, 'opened');
    assert.deepEqual(related, { outcome: 'joined', incidentId: (first as { incidentId: string }).incidentId });
    assert.equal(unrelated.outcome, 'opened');
    assert.notEqual((unrelated as { incidentId: string }).incidentId, (first as { incidentId: string }).incidentId);
    assert.equal(h.runner.executions.size, 2);
  });

  it('a duplicate start (the same transition delivered twice) is harmless', async () => {
    const h = await fresh();
    const event = alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected' });
    const [a, b] = await Promise.all([h.event(event), h.event(event)]);
    assert.deepEqual([a.outcome, b.outcome].sort(), ['ignored', 'opened']);
    assert.equal(h.runner.executions.size, 1);
  });

  it('after the incident resolves, the same alert opens a new one', async () => {
    const h = await fresh();
    const first = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', at: new Date(Date.now() - 60_000) }));
    await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', newState: 'OK', oldState: 'ALARM' }));
    const second = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', at: new Date(Date.now() + 20 * 60_000) }));
    assert.equal(second.outcome, 'opened');
    assert.notEqual((second as { incidentId: string }).incidentId, (first as { incidentId: string }).incidentId);
  });
});

describe('only alarms that notify open or join incidents', () => {
  it("PartialRegionOutage's per-region children (no actions) open nothing, even all together; the composite opens one", async () => {
    // GIVEN the default environment: two regions, so the composite and one child per region are synthesized
    const h = await fresh();
    assert.deepEqual(h.config.regions, ['us-east-1', 'us-west-2']);
    // WHEN both regions' children go to ALARM (every region down: the composite holds its page back)
    const children = await Promise.all(
      ['us-east-1', 'us-west-2'].map((region) => h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage', instance: region }))),
    );
    // THEN neither opens an incident or an escalation
    assert.deepEqual(
      children.map((o) => o.outcome),
      ['ignored', 'ignored'],
      JSON.stringify(children),
    );
    assert.match((children[0] as { reason: string }).reason, /has no actions/);
    assert.equal(h.runner.executions.size, 0);
    assert.deepEqual(await h.deps.store.listSince(new Date(Date.now() - 60_000).toISOString()), []);
    // AND a child going OK again changes nothing
    assert.equal(
      (await h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage', instance: 'us-east-1', newState: 'OK', oldState: 'ALARM' }))).outcome,
      'ignored',
    );
    // WHEN the composite itself goes to ALARM (one region down, the other up)
    const composite = await h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage' }));
    // THEN it opens the incident, and a child joining later still does not join it
    assert.equal(composite.outcome, 'opened');
    assert.equal(
      (await h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage', instance: 'us-west-2', at: new Date(Date.now() + 1000) }))).outcome,
      'ignored',
    );
    assert.equal((await h.deps.store.get((composite as { incidentId: string }).incidentId))!.triggers.length, 1);
  });

  it('an alarm the stack does not synthesize (a service no longer configured) opens nothing', async () => {
    const h = await fresh();
    const outcome = await h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPIErrorRate', instance: 'retired-service' }));
    assert.equal(outcome.outcome, 'ignored');
    assert.equal(h.runner.executions.size, 0);
  });
});

describe('events in any order: EventBridge does not keep an alarm state changes in order', () => {
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  it('an OK delivered before its own ALARM: the stale ALARM opens nothing and pages nobody', async () => {
    // GIVEN an alarm that fired 3 minutes ago and cleared 1 minute ago
    const h = await fresh();
    // WHEN the OK is delivered first, then the ALARM
    const ok = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', newState: 'OK', oldState: 'ALARM', at: minutesAgo(1) }));
    const alarm = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', at: minutesAgo(3) }));
    // THEN both are ignored, and no escalation exists
    assert.equal(ok.outcome, 'ignored');
    assert.equal(alarm.outcome, 'ignored');
    assert.match((alarm as { reason: string }).reason, /arrived after its OK/);
    assert.equal(h.runner.executions.size, 0);
    assert.deepEqual(await h.deps.store.listSince(minutesAgo(10).toISOString()), []);
  });

  it("a late OK of an earlier cycle does not clear the alarm's newer ALARM", async () => {
    // GIVEN the alarm fired again 1 minute ago (its incident is open)
    const h = await fresh();
    const fired = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', at: minutesAgo(1) }));
    const incidentId = (fired as { incidentId: string }).incidentId;
    // WHEN the OK of the cycle before (2 minutes ago) arrives now
    const late = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', newState: 'OK', oldState: 'ALARM', at: minutesAgo(2) }));
    // THEN it is ignored: the incident stays open with the alarm in it
    assert.equal(late.outcome, 'ignored');
    const incident = (await h.deps.store.get(incidentId))!;
    assert.equal(incident.status, 'open');
    assert.deepEqual(incident.openAlarms, [alarmName(h.config.prefix, 'DataLeakDetected')]);
  });

  it('an OK arriving while its ALARM is being recorded (it finds no membership yet) still clears it', async () => {
    // GIVEN the ALARM's starter, held right after it read "no OK since": the OK's starter runs then
    const h = await fresh();
    const store = h.deps.store as unknown as { lastOk(name: string): Promise<string | undefined> };
    const read = store.lastOk.bind(h.deps.store);
    let held = false;
    store.lastOk = async (name) => {
      const value = await read(name);
      if (!held) {
        held = true;
        const ok = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', newState: 'OK', oldState: 'ALARM', at: minutesAgo(1) }));
        assert.equal(ok.outcome, 'ignored', 'the OK found no membership');
      }
      return value;
    };
    // WHEN the ALARM (3 minutes ago) goes on and opens its incident
    const alarm = await h.event(alarmStateChangeEvent(h.config, { alertId: 'DataLeakDetected', at: minutesAgo(3) }));
    // THEN it sees the newer OK once recorded, and the incident resolves
    assert.ok(held);
    const incident = (await h.deps.store.get((alarm as { incidentId: string }).incidentId))!;
    assert.equal(incident.status, 'resolved');
    assert.equal(await h.deps.store.membership(alarmName(h.config.prefix, 'DataLeakDetected')), undefined);
  });
});

describe('alarms of the serving regions (the default environment serves us-east-1 and us-west-2)', () => {
  const API = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' };

  it('the same alert in both regions is one incident paged once, resolved only when both regions are OK', async () => {
    // GIVEN HighAPIErrorRate of chatbot-api firing in us-east-1, then in us-west-2 (a region-wide outage)
    const h = await fresh();
    const at = new Date();
    const east = await h.event(alarmStateChangeEvent(h.config, { ...API, at }));
    const west = await h.event(alarmStateChangeEvent(h.config, { ...API, region: 'us-west-2', at: new Date(at.getTime() + 1000) }));
    // THEN the second joins the first: one incident, one execution, one first page
    assert.equal(east.outcome, 'opened');
    const id = (east as { incidentId: string }).incidentId;
    assert.deepEqual(west, { outcome: 'joined', incidentId: id });
    const name = alarmName(h.config.prefix, API.alertId, API.instance);
    assert.deepEqual((await h.deps.store.get(id))!.openAlarms.slice().sort(), [name, `${name}@us-west-2`]);
    await h.stepRan(0, id);
    assert.equal(h.runner.executions.size, 1);
    assert.equal((await h.inbox()).filter((p) => p.role === 'on-call-primary').length, 1);
    // WHEN us-west-2 recovers, THEN the incident stays open: us-east-1's alarm of the same name is still in ALARM
    const ok = { ...API, newState: 'OK', oldState: 'ALARM', at: new Date(at.getTime() + 60_000) } as const;
    assert.deepEqual(await h.event(alarmStateChangeEvent(h.config, { ...ok, region: 'us-west-2' })), { outcome: 'cleared', incidentId: id, resolved: false });
    const timeline = await h.deps.store.timeline(id);
    assert.ok(
      timeline.some((e) => e.detail === `${name}@us-west-2 is OK; still in ALARM: ${name}`),
      timeline.map((e) => e.detail).join('\n'),
    );
    assert.equal((await h.deps.store.get(id))!.status, 'open');
    // and once us-east-1 recovers too, it resolves
    assert.deepEqual(await h.event(alarmStateChangeEvent(h.config, ok)), { outcome: 'cleared', incidentId: id, resolved: true });
    assert.equal((await h.deps.store.get(id))!.status, 'resolved');
  });

  it('both regions firing at the same instant (concurrent starters) still open one incident', async () => {
    const h = await fresh();
    const at = new Date();
    const outcomes = await Promise.all(
      [undefined, 'us-west-2'].map((region) => h.event(alarmStateChangeEvent(h.config, { ...API, ...(region ? { region } : {}), at }))),
    );
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['joined', 'opened'], JSON.stringify(outcomes));
    const ids = new Set(outcomes.map((o) => (o as { incidentId: string }).incidentId));
    assert.equal(ids.size, 1);
    assert.equal(h.runner.executions.size, 1);
    assert.equal((await h.deps.store.get([...ids][0]!))!.openAlarms.length, 2);
  });

  it('a redelivered regional ALARM changes nothing; an OK of one region never clears the other', async () => {
    const h = await fresh();
    const at = new Date();
    const west = alarmStateChangeEvent(h.config, { ...API, region: 'us-west-2', at });
    const opened = await h.event(west);
    const id = (opened as { incidentId: string }).incidentId;
    assert.equal(opened.outcome, 'opened');
    assert.match(id, /^chatbot-HighAPIErrorRate-chatbot-api@us-west-2@/);
    assert.equal((await h.event(west)).outcome, 'ignored');
    // us-east-1's alarm of the same name is OK: it belongs to no incident
    const eastOk = await h.event(alarmStateChangeEvent(h.config, { ...API, newState: 'OK', oldState: 'ALARM', at: new Date(at.getTime() + 1000) }));
    assert.deepEqual(eastOk, { outcome: 'ignored', reason: 'chatbot-HighAPIErrorRate-chatbot-api is OK and belongs to no open incident' });
    assert.equal((await h.deps.store.get(id))!.status, 'open');
  });

  it("an alarm of a service in another account opens that account's incident, named with its account and region", async () => {
    // GIVEN staging-api running in account 210987654321
    const services = [...DEFAULT_INPUT.services, { ...HOME_SERVICE, name: 'staging-api', account: '210987654321', regions: ['us-west-2'] }];
    const h = await fresh({ config: { account: '123456789012', services } });
    // WHEN its HighAPIErrorRate fires there
    const staging = { alertId: 'HighAPIErrorRate', instance: 'staging-api', accountId: '210987654321', region: 'us-west-2' };
    const opened = await h.event(alarmStateChangeEvent(h.config, staging));
    // THEN
    assert.equal(opened.outcome, 'opened', JSON.stringify(opened));
    assert.match((opened as { incidentId: string }).incidentId, /^chatbot-HighAPIErrorRate-staging-api@210987654321\/us-west-2@/);
    await h.stepRan(0, (opened as { incidentId: string }).incidentId);
    assert.equal((await h.inbox()).filter((p) => p.role === 'on-call-primary').length, 1);
  });

  it('an alarm of a region or account the environment does not serve pages nobody', async () => {
    const h = await fresh({ config: { account: '123456789012' } });
    const elsewhere = await h.event(alarmStateChangeEvent(h.config, { ...API, region: 'eu-west-1' }));
    assert.deepEqual(elsewhere, {
      outcome: 'ignored',
      reason: 'chatbot-HighAPIErrorRate-chatbot-api is in eu-west-1, not a region of this environment (us-east-1, us-west-2)',
    });
    const foreign = await h.event(alarmStateChangeEvent(h.config, { ...API, accountId: '210987654321' }));
    assert.deepEqual(foreign, {
      outcome: 'ignored',
      reason: "chatbot-HighAPIErrorRate-chatbot-api is in account 210987654321, not one of this environment's (123456789012)",
    });
    assert.equal(h.runner.executions.size, 0);
    assert.deepEqual(await h.inbox(), []);
  });
});
