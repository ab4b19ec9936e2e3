import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import type { SilenceStore } from '../../lambdas/shared/storage/silences';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import type { SilenceMatch } from '../../lib/core/silences';
import { useEscalation, type EscalationHarness } from '../support/escalation';

const { fresh } = useEscalation();
const MINUTE = 60_000;

/** Silences as on-call creates them (`oncall silence`), in the harness's audit table. */
function silences(h: EscalationHarness): SilenceStore {
  return openStores({ dynamo: h.clients.dynamo, table: h.sample.auditTable, retentionDays: h.config.automation.auditRetentionDays, now: h.deps.now }).silences;
}

/** A silence created now (on the clock, at the time it has reached) for `forMs`. */
async function silence(h: EscalationHarness, match: SilenceMatch, forMs: number, reason = 'known issue, fix deploying') {
  const now = h.clock?.time ?? new Date();
  const create = () =>
    silences(h).create({ match, until: new Date(now.getTime() + forMs).toISOString(), createdAt: now.toISOString(), createdBy: 'alice (test)', reason });
  return h.clock ? h.clock.run(now, create) : create();
}

/** The audit records of one alarm transition (the responder's incident id), by mitigation. */
async function actionsOf(h: EscalationHarness, transition: string): Promise<Map<string, ActionRecord>> {
  const records = (await h.deps.audit.listSince('1970')).filter((r) => r.incidentId === transition);
  return new Map(records.map((r) => [r.mitigation, r]));
}

/** The incident's pages once the first `steps` steps of its escalation have run (on the local runner). */
async function pagesOf(h: EscalationHarness, incidentId: string, steps: number): Promise<string[]> {
  for (let index = 0; index < steps; index++) await h.stepRan(index, incidentId);
  return (await h.deps.store.timeline(incidentId)).filter((e) => e.type === 'page').map((e) => (e.data?.roles as string[]).join('+'));
}

async function taskDefinition(h: EscalationHarness): Promise<string | undefined> {
  const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  return services?.[0]?.taskDefinition;
}

describe('silences: alarms fire and are recorded, nobody is paged, no mitigation runs', () => {
  it('a silence on HighAPIErrorRate stops its rollback and its pages until it expires; ModelAccuracyDrop still acts and pages', async () => {
    // GIVEN a silence on HighAPIErrorRate for 20 minutes (the deployment stays inside the rollback's 30 min window)
    const h = await fresh({ clock: true });
    const s = await silence(h, { alertId: 'HighAPIErrorRate' }, 20 * MINUTE, 'bad deploy, fix rolling forward');
    const before = await taskDefinition(h);
    // WHEN HighAPIErrorRate fires (twice: SNS and EventBridge deliver at least once), and ModelAccuracyDrop fires
    const at = h.clock!.time;
    const silenced = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at });
    await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at });
    const live = await h.alarm({ alertId: 'ModelAccuracyDrop' });

    // THEN no mitigation of HighAPIErrorRate ran: each is recorded as skipped, with the silence, once
    const skipped = await actionsOf(h, silenced.incidentId!);
    assert.deepEqual([...skipped.keys()].sort(), ['ecs-rollback', 'fallback-mode', 'rate-limit', 'rds-scale-up']);
    for (const record of skipped.values()) {
      assert.equal(record.decision, 'skipped');
      assert.equal(record.reason, `silenced by silence ${s.id} until ${s.until}: bad deploy, fix rolling forward`);
      assert.deepEqual(record.evidence.silence, { kind: 'silence', name: s.id, until: s.until, reason: 'bad deploy, fix rolling forward' });
      assert.equal(record.before, undefined, 'nothing was read');
    }
    assert.equal(await taskDefinition(h), before, 'the service was not rolled back');
    // and the fire is in the incident's timeline, silenced, with no escalation and no page
    const incident = (await h.deps.store.get(silenced.incidentId!))!;
    assert.equal(incident.status, 'open');
    // its escalation waits for the silence to end: the timetable starts then
    assert.equal(incident.escalationDeferredUntil, s.until);
    assert.equal(h.runner.executions.get(incident.executionName!)!.input.steps[0]!.at, s.until);
    const timeline = await h.deps.store.timeline(silenced.incidentId!);
    // (events of the same millisecond may list in either order)
    assert.deepEqual(timeline.map((e) => e.type).sort(), ['fired', 'silenced']);
    assert.match(
      timeline.find((e) => e.type === 'silenced')!.detail,
      new RegExp(`^chatbot-HighAPIErrorRate-chatbot-api: silenced by silence ${s.id} until ${s.until}: bad deploy, fix rolling forward; nobody is paged`),
    );

    // while the unsilenced alert acts and pages as usual
    assert.equal((await actionsOf(h, live.incidentId!)).get('ai-kill-switch')?.outcome, 'succeeded');
    assert.deepEqual(await pagesOf(h, live.incidentId!, 1), ['on-call-primary+incident-commander+customer-success']);
    const inbox = await h.inbox();
    assert.ok(
      inbox.length > 0 && inbox.every((p) => p.text.includes('ModelAccuracyDrop') && !p.text.includes('HighAPIErrorRate')),
      inbox.map((p) => p.text.split('\n')[0]).join('\n'),
    );
    assert.equal(h.runner.executions.size, 2, "the deferred escalation and ModelAccuracyDrop's");

    // WHEN the silence has expired (its deferred escalation pages: the alarm is still in ALARM) and the alarm
    // transitions again (back to OK, then into ALARM)
    h.clock!.advanceTo(h.clock!.at(21));
    assert.deepEqual(await pagesOf(h, silenced.incidentId!, 1), ['on-call-primary+incident-commander+customer-success']);
    await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM' });
    assert.equal((await h.deps.store.get(silenced.incidentId!))!.status, 'resolved');
    const next = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    // THEN it acts and pages
    assert.notEqual(next.incidentId, silenced.incidentId);
    const acted = (await actionsOf(h, next.incidentId!)).get('ecs-rollback')!;
    assert.deepEqual([acted.decision, acted.outcome], ['acted', 'succeeded'], acted.reason);
    assert.match(before!, /chatbot-api:2$/);
    assert.match((await taskDefinition(h))!, /chatbot-api:1$/, 'rolled back now');
    assert.deepEqual(await pagesOf(h, next.incidentId!, 1), ['on-call-primary+incident-commander+customer-success']);
    assert.ok((await h.inbox()).some((p) => p.role === 'on-call-primary' && p.text.includes('HighAPIErrorRate')));
  });

  it('a category silence matches exactly the alerts of its category', async () => {
    // GIVEN model-performance silenced
    const h = await fresh();
    const s = await silence(h, { category: 'model-performance' }, 60_000);
    // WHEN a model-performance alert and an infrastructure alert fire
    const model = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    const api = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    // THEN the first is recorded, silenced; the second acts and pages
    assert.match((await actionsOf(h, model.incidentId!)).get('ai-kill-switch')!.reason, new RegExp(`^silenced by silence ${s.id} until `));
    const flag = await h.clients.ssm.send(new GetParameterCommand({ Name: '/feature/ai-model' }));
    assert.equal(flag.Parameter?.Value, 'true', 'the AI feature stays on');
    assert.deepEqual((await h.deps.store.timeline(model.incidentId!)).map((e) => e.type).sort(), ['fired', 'silenced']);
    assert.equal((await actionsOf(h, api.incidentId!)).get('ecs-rollback')?.outcome, 'succeeded');
    assert.equal((await pagesOf(h, api.incidentId!, 1)).length, 1);
    assert.deepEqual(await pagesOf(h, model.incidentId!, 0), []);
  });

  it('a service silence matches the alarms of that service only, not environment-wide alerts', async () => {
    const h = await fresh();
    const s = await silence(h, { service: 'chatbot-api' }, 60_000);
    const api = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    const model = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    assert.ok([...(await actionsOf(h, api.incidentId!)).values()].every((r) => r.decision === 'skipped' && r.reason.startsWith(`silenced by silence ${s.id}`)));
    assert.equal((await h.deps.store.get(api.incidentId!))!.escalationDeferredUntil, s.until);
    assert.equal((await actionsOf(h, model.incidentId!)).get('ai-kill-switch')?.outcome, 'succeeded');
    assert.equal((await pagesOf(h, model.incidentId!, 1)).length, 1);
    assert.ok((await h.inbox()).every((p) => !p.text.includes('HighAPIErrorRate')));
  });

  it('a config maintenance window silences like a silence, named in the record and the timeline', async () => {
    // a window from a minute ago to an hour from now (UTC), every day: in force whenever the test runs
    const hhmm = (ms: number) => new Date(Date.now() + ms).toISOString().slice(11, 16);
    const window = {
      name: 'always',
      days: [1, 2, 3, 4, 5, 6, 7],
      start: hhmm(-60_000),
      end: hhmm(3_600_000),
      match: { alerts: ['ModelAccuracyDrop'] },
      reason: 'model retraining',
    };
    const h = await fresh({ config: { silencing: { maintenanceWindows: [window] } } });
    const model = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    assert.match((await actionsOf(h, model.incidentId!)).get('ai-kill-switch')!.reason, /^silenced by maintenance always until \S+: model retraining$/);
    assert.match((await h.deps.store.timeline(model.incidentId!)).find((e) => e.type === 'silenced')!.detail, /silenced by maintenance always until/);
    const incident = (await h.deps.store.get(model.incidentId!))!;
    assert.equal(
      incident.escalationDeferredUntil,
      (await actionsOf(h, model.incidentId!)).get('ai-kill-switch')!.reason.match(/until (\S+):/)![1],
      'deferred to the end of the window',
    );
    assert.deepEqual(await h.inbox(), []);
  });
});

describe('silences and grouping', () => {
  it('an unsilenced related alarm joining a silenced incident starts its escalation; a silenced one joining a live incident changes nothing', async () => {
    const h = await fresh();
    await silence(h, { alertId: 'HighAPIErrorRate' }, 60 * MINUTE);
    await silence(h, { alertId: 'CriticalAPILatency' }, 60 * MINUTE);
    // a silenced P1 opens an incident with no escalation
    const first = await h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }));
    assert.equal(first.outcome, 'opened');
    assert.ok('silenced' in first && first.silenced?.kind === 'silence');
    const id = (first as { incidentId: string }).incidentId;
    // the related P2 HighAPILatency, not silenced, joins it: the escalation starts, at P2
    const latency = await h.event(alarmStateChangeEvent(h.config, { alertId: 'HighAPILatency', instance: 'chatbot-api' }));
    assert.deepEqual(latency, { outcome: 'joined', incidentId: id, reclassified: 'P2' });
    assert.equal(h.runner.executions.size, 2, 'the deferred escalation (stopped) and the one that started now');
    assert.equal((await h.deps.store.get(id))!.escalationDeferredUntil, undefined);
    assert.deepEqual(await pagesOf(h, id, 1), ['on-call-primary+customer-success']);
    // the silenced P1 CriticalAPILatency joins too, but re-classifies nothing and pages nobody
    const critical = await h.event(alarmStateChangeEvent(h.config, { alertId: 'CriticalAPILatency', instance: 'chatbot-api' }));
    assert.equal(critical.outcome, 'joined');
    assert.equal((critical as { reclassified?: string }).reclassified, undefined);
    const incident = (await h.deps.store.get(id))!;
    assert.equal(incident.severity, 'P2');
    assert.equal(incident.triggers.length, 3);
    assert.equal(h.runner.executions.size, 2);
    const timeline = await h.deps.store.timeline(id);
    assert.deepEqual(timeline.map((e) => e.type).sort(), ['fired', 'joined', 'joined', 'page', 'reclassified', 'silenced', 'silenced']);
    assert.match(
      timeline.find((e) => e.type === 'reclassified')!.detail,
      /chatbot-HighAPILatency-chatbot-api is not silenced: the escalation starts; P1 -> P2 \(HighAPILatency\); escalation follows p2-standard from now/,
    );
  });

  it('a silence that ends while its alarm is still in ALARM pages then, not before; one extended in time pages nobody', async () => {
    // GIVEN HighAPIErrorRate and ModelAccuracyDrop silenced for 10 minutes
    const h = await fresh({ clock: true });
    const short = await silence(h, { alertId: 'HighAPIErrorRate' }, 10 * MINUTE);
    await silence(h, { alertId: 'ModelAccuracyDrop' }, 10 * MINUTE);
    // WHEN both fire inside their silences, and ModelAccuracyDrop's is extended by an hour
    const api = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    const model = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    await silence(h, { alertId: 'ModelAccuracyDrop' }, 70 * MINUTE, 'retraining takes longer');
    h.clock!.advanceTo(h.clock!.at(9));
    assert.deepEqual(await h.inbox(), [], 'nobody is paged during the silence');
    // THEN once the silence is over, the alarm still in ALARM pages the first step of its policy
    h.clock!.advanceTo(h.clock!.at(11));
    assert.deepEqual(await pagesOf(h, api.incidentId!, 1), ['on-call-primary+incident-commander+customer-success']);
    const page = (await h.deps.store.timeline(api.incidentId!)).find((e) => e.type === 'page')!;
    const late = Date.parse(page.at) - Date.parse(short.until);
    assert.ok(late >= 0 && late < 1000, `paged when the silence ended, not before (${late} ms after)`);
    assert.equal(page.data?.why, `p1-api-errors: still open when its silence ended (${short.until})`);
    // and the one whose silence was extended pages nobody, saying why
    await h.stepRan(0, model.incidentId!);
    const skipped = (await h.deps.store.timeline(model.incidentId!)).filter((e) => e.type === 'skipped-step');
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]!.detail, /^step 0 \(.*\) not paged: silenced by silence \S+ until \S+: retraining takes longer$/);
    assert.ok((await h.inbox()).every((p) => !p.text.includes('ModelAccuracyDrop')));
  });
});
