import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alarmStateChangeEvent } from '../../lib/drill/notifications';
import { useEscalation } from '../support/escalation';
import { fleetConfig } from '../support/synth';

const { fresh } = useEscalation();

describe('grouping: related alarms consolidate into one incident', () => {
  it('a burst of 20 related alarms inside the group window opens one incident, one execution and one page', async () => {
    // GIVEN a fleet of 20 services (the same alert on many services: a region outage) plus related alerts
    const services = fleetConfig(20).services.map(({ stack: _s, ...s }) => ({ ...s, rds: s.rds ? { instanceId: s.rds.instanceId, maxConnections: s.rds.maxConnections } : undefined }));
    const h = await fresh({ config: { services }, secondsPerHour: 3600 }); // real time: only the first step is due
    const at = new Date();
    // WHEN HighAPIErrorRate fires on all 20 services at once
    const outcomes = await Promise.all(services.map((s, i) => h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPIErrorRate', instance: s.name, at: new Date(at.getTime() + i) }))));
    // THEN one incident opened, the others joined it
    const opened = outcomes.filter((o) => o.outcome === 'opened');
    assert.equal(opened.length, 1, JSON.stringify(outcomes));
    const id = (opened[0] as { incidentId: string }).incidentId;
    assert.ok(outcomes.every((o) => (o as { incidentId?: string }).incidentId === id));
    assert.equal(h.runner.executions.size, 1);
    await new Promise((r) => setTimeout(r, 300));
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
    const children = await Promise.all(['us-east-1', 'us-west-2'].map((region) => h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage', instance: region }))));
    // THEN neither opens an incident or an escalation
    assert.deepEqual(children.map((o) => o.outcome), ['ignored', 'ignored'], JSON.stringify(children));
    assert.match((children[0] as { reason: string }).reason, /has no actions/);
    assert.equal(h.runner.executions.size, 0);
    assert.deepEqual(await h.deps.store.listSince(new Date(Date.now() - 60_000).toISOString()), []);
    // AND a child going OK again changes nothing
    assert.equal((await h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage', instance: 'us-east-1', newState: 'OK', oldState: 'ALARM' }))).outcome, 'ignored');
    // WHEN the composite itself goes to ALARM (one region down, the other up)
    const composite = await h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage' }));
    // THEN it opens the incident, and a child joining later still does not join it
    assert.equal(composite.outcome, 'opened');
    assert.equal((await h.event(alarmStateChangeEvent(h.config, { alertId: 'PartialRegionOutage', instance: 'us-west-2', at: new Date(Date.now() + 1000) }))).outcome, 'ignored');
    assert.equal((await h.deps.store.get((composite as { incidentId: string }).incidentId))!.triggers.length, 1);
  });

  it('an alarm the stack does not synthesize (a service no longer configured) opens nothing', async () => {
    const h = await fresh();
    const outcome = await h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPIErrorRate', instance: 'retired-service' }));
    assert.equal(outcome.outcome, 'ignored');
    assert.equal(h.runner.executions.size, 0);
  });
});
