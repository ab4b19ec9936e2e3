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
