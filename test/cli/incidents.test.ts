import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { oncall } from '../support/cli';
import { useEscalation } from '../support/escalation';

const { fresh } = useEscalation();

describe('oncall incidents, incident show, ack, resolve', () => {
  it('lists incidents, shows the timeline with the automatic actions, acknowledges and resolves', async () => {
    // GIVEN a P1 incident opened by the real starter, with the responder's rollback, and a P3
    const h = await fresh();
    const { incidentId } = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    await h.alarm({ alertId: 'HighCPUUtilization', instance: 'chatbot-api', at: new Date(Date.now() + 1000) });
    const id = incidentId!;

    // WHEN / THEN: the listing
    const list = await oncall(h.moto, ['incidents', '--open']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /SEV +ALERT/);
    assert.ok(list.stdout.includes(id));
    assert.match(list.stdout, /P1 +HighAPIErrorRate +chatbot-api +us-east-1 +open/);
    const json = JSON.parse((await oncall(h.moto, ['incidents', '--json'])).stdout) as { incidentId: string; status: string; severity: string }[];
    assert.deepEqual(json.map((i) => i.severity).sort(), ['P1', 'P3']);

    // the timeline
    const show = await oncall(h.moto, ['incident', 'show', id]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /fired +chatbot-HighAPIErrorRate-chatbot-api \(P1\) in ALARM/);
    assert.match(show.stdout, /page +paged on-call-primary, incident-commander, customer-success/);
    assert.match(show.stdout, /action +ecs-rollback on ecs:prod\/chatbot-api: acted, succeeded .* \[revert: npx oncall revert [0-9a-f]{16}\]/);
    const detail = JSON.parse((await oncall(h.moto, ['incident', 'show', id, '--json'])).stdout) as {
      incident: { incidentId: string };
      timeline: unknown[];
      actions: unknown[];
    };
    assert.equal(detail.incident.incidentId, id);
    assert.ok(detail.timeline.length >= 2);
    assert.equal(detail.actions.length, 4);

    // ack, twice
    const ack = await oncall(h.moto, ['ack', id]);
    assert.equal(ack.status, 0, ack.stderr);
    const stored = (await h.deps.store.get(id))!;
    assert.ok(stored.ackedAt);
    assert.match(stored.ackedBy!, /\(arn:aws:sts::123456789012:/);
    const again = await oncall(h.moto, ['ack', id]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /nothing done: already acknowledged/);

    // resolve, with a note: the execution's stop is requested and the time to resolve recorded
    const resolved = await oncall(h.moto, ['resolve', id, '--note', 'rolled back']);
    assert.equal(resolved.status, 0, resolved.stderr);
    assert.match(resolved.stdout, new RegExp(`resolved ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} after \\d+s`));
    const after = (await h.deps.store.get(id))!;
    assert.equal(after.status, 'resolved');
    assert.equal(after.resolveNote, 'rolled back');
    assert.ok(after.timeToResolveSeconds !== undefined);
  });

  it('lists the incidents of every serving region with their regions; --region narrows to one', async () => {
    // GIVEN HighAPIErrorRate in both regions (one incident) and ModelAccuracyDrop in us-east-1 only
    const h = await fresh();
    const at = new Date();
    const api = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' };
    const outage = await h.event(alarmStateChangeEvent(h.config, { ...api, at }));
    await h.event(alarmStateChangeEvent(h.config, { ...api, region: 'us-west-2', at: new Date(at.getTime() + 1000) }));
    const model = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop', at: new Date(at.getTime() + 2000) }));
    const idOf = (outcome: unknown) => (outcome as { incidentId: string }).incidentId;
    // WHEN / THEN
    const all = await oncall(h.moto, ['incidents']);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /HighAPIErrorRate +chatbot-api +us-east-1,us-west-2 +open/);
    assert.match(all.stdout, /ModelAccuracyDrop +- +us-east-1 +open/);
    const west = JSON.parse((await oncall(h.moto, ['incidents', '--region', 'us-west-2', '--json'])).stdout) as { incidentId: string }[];
    assert.deepEqual(
      west.map((i) => i.incidentId),
      [idOf(outage)],
    );
    const east = JSON.parse((await oncall(h.moto, ['incidents', '--region', 'us-east-1', '--json'])).stdout) as { incidentId: string }[];
    assert.deepEqual(east.map((i) => i.incidentId).sort(), [idOf(outage), idOf(model)].sort());
    // a region the environment does not serve is a usage error, not an empty list
    const wrong = await oncall(h.moto, ['incidents', '--region', 'eu-west-1']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--region eu-west-1 is not a region of environment default; its regions: us-east-1, us-west-2/);
  });

  it('unknown incident: exit 3 with how to list them', async () => {
    const h = await fresh();
    for (const args of [
      ['incident', 'show', 'nope'],
      ['ack', 'nope'],
      ['resolve', 'nope'],
    ]) {
      const run = await oncall(h.moto, args);
      assert.equal(run.status, 3, args.join(' '));
      assert.match(run.stderr, /no incident nope \(list them with: oncall incidents\)/);
    }
  });
});
