import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { ecsScaleOut } from '../../lambdas/responder/mitigations/ecs-scale-out';
import type { MitigationScope, State } from '../../lambdas/responder/mitigations/mitigation';
import { revert, revertIdOf, type RevertResult } from '../../lambdas/responder/revert';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { revertDeps, useResponder, type ResponderHarness } from '../support/responder';
import { config } from '../support/config';

const { fresh } = useResponder();

// The sample world's service (tools/drill/sample-world.ts): cluster prod, service chatbot-api, desired count 4.
const RESOURCE = { ServiceNamespace: 'ecs', ResourceId: 'service/prod/chatbot-api', ScalableDimension: 'ecs:service:DesiredCount' } as const;

/** Puts the sample world's service under Application Auto Scaling, or moves its capacities. */
const registerTarget = (h: ResponderHarness, min: number, max: number) =>
  h.clients.autoscaling.send(new RegisterScalableTargetCommand({ ...RESOURCE, MinCapacity: min, MaxCapacity: max }));

/** The scalable target's [min, max] as Application Auto Scaling has it now. */
async function capacities(h: ResponderHarness): Promise<[number, number]> {
  const { ScalableTargets } = await h.clients.autoscaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE.ResourceId], ScalableDimension: RESOURCE.ScalableDimension }),
  );
  const target = ScalableTargets![0]!;
  return [target.MinCapacity!, target.MaxCapacity!];
}

async function desiredCount(h: ResponderHarness): Promise<number> {
  return (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!.desiredCount!;
}

/** HighAPILatency fires on the service; returns the responder's ecs-scale-out record. */
async function scaleOut(h: ResponderHarness): Promise<ActionRecord> {
  await h.deliver({ alertId: 'HighAPILatency', instance: 'chatbot-api' });
  return (await h.audit.listSince('1970')).find((a) => a.mitigation === 'ecs-scale-out')!;
}

const revertAs = (h: ResponderHarness, actionId: string): Promise<RevertResult> =>
  revert(revertDeps(h), { actionId, actor: { kind: 'person', name: 'alice', via: 'cli' } });

describe('ecs-scale-out on a service under Application Auto Scaling', () => {
  it('raises the minimum capacity from the desired count by a step, and leaves desiredCount to the scaling', async () => {
    // GIVEN the service scales between 2 and 10 tasks and runs 4
    const h = await fresh();
    await registerTarget(h, 2, 10);
    // WHEN latency is high
    const action = await scaleOut(h);
    // THEN the minimum is 4 + the step of 2, the maximum unchanged, and desiredCount was not set by the responder
    assert.equal(action.outcome, 'succeeded', JSON.stringify(action));
    assert.deepEqual(await capacities(h), [6, 10]);
    assert.equal(await desiredCount(h), 4);
    assert.deepEqual(action.desired, { minCapacity: 6, maxCapacity: 10 });
    assert.deepEqual([action.before?.scalableTarget, action.before?.minCapacity, action.before?.maxCapacity], [true, 2, 10]);
    assert.equal(
      action.reason,
      'service under Application Auto Scaling: raise its minimum capacity 2 -> 6 (max 10, cap 20), so scaling keeps at least 6 tasks; ' +
        'setting desiredCount would be undone by the next scaling activity',
    );
  });

  it('raises the maximum capacity with the minimum when the new minimum exceeds it, both within the cap', async () => {
    // GIVEN a maximum of 4 (the service runs 4) and a cap of 5
    const h = await fresh({ config: config({ automation: { ecsMaxDesiredCount: 5 } }) });
    await registerTarget(h, 4, 4);
    // WHEN latency is high
    const action = await scaleOut(h);
    // THEN the minimum goes to the cap (4 + 2 would pass it), and the maximum with it, no further
    assert.deepEqual(await capacities(h), [5, 5]);
    assert.match(action.reason, /^service under Application Auto Scaling: raise its minimum capacity 4 -> 5 \(max 4 -> 5, cap 5\)/);
  });

  it('at the cap: refused, with the capacities and the cap named, and nothing changed', async () => {
    // GIVEN the minimum is already the cap of 6
    const h = await fresh({ config: config({ automation: { ecsMaxDesiredCount: 6 } }) });
    await registerTarget(h, 6, 10);
    // WHEN latency is high
    const action = await scaleOut(h);
    // THEN nothing moves, and the record says why
    assert.equal(action.decision, 'skipped');
    assert.equal(
      action.reason,
      'service under Application Auto Scaling: its minimum capacity 6 and desired count 4 are at or above the cap of 6; not raising the minimum',
    );
    assert.deepEqual(await capacities(h), [6, 10]);
    assert.equal(await desiredCount(h), 4);
  });

  it('without a scalable target, raises desiredCount as before and says why', async () => {
    // GIVEN no Application Auto Scaling on the service
    const h = await fresh();
    // WHEN latency is high
    const action = await scaleOut(h);
    // THEN desiredCount is 4 + 2
    assert.equal(await desiredCount(h), 6);
    assert.deepEqual(action.desired, { desiredCount: 6 });
    assert.equal(action.before?.scalableTarget, false);
    assert.equal(action.reason, 'no Application Auto Scaling target on the service: raise desired count from 4 to 6 (cap 20)');
  });
});

describe('revert of an ecs-scale-out that moved the scalable target', () => {
  it('restores the minimum and maximum capacities exactly', async () => {
    // GIVEN a scale-out moved the capacities 4/4 -> 6/6
    const h = await fresh();
    await registerTarget(h, 4, 4);
    const action = await scaleOut(h);
    assert.deepEqual(await capacities(h), [6, 6]);
    // WHEN a person reverts it
    const result = await revertAs(h, action.actionId);
    // THEN both are back, and the revert's record says what it restored
    assert.equal(result.status, 'reverted', JSON.stringify(result));
    assert.deepEqual(await capacities(h), [4, 4]);
    const record = (await h.audit.get(revertIdOf(action.actionId)))!;
    assert.deepEqual(record.desired, { minCapacity: 4, maxCapacity: 4 });
    assert.equal(record.outcome, 'succeeded');
  });

  it('is refused, naming the change, when someone moved the minimum since', async () => {
    // GIVEN a scale-out set the minimum to 6, and someone then set it to 7
    const h = await fresh();
    await registerTarget(h, 2, 10);
    const action = await scaleOut(h);
    await registerTarget(h, 7, 10);
    // WHEN a person reverts the scale-out
    const result = await revertAs(h, action.actionId);
    // THEN it is refused with what changed, and the minimum stays where the person put it
    assert.equal(result.status, 'refused', JSON.stringify(result));
    assert.equal((result as { reason: string }).reason, 'minimum capacity is now 7 (the scale-out set 6): changed after the scale-out; not reverting');
    assert.deepEqual(await capacities(h), [7, 10]);
  });
});

describe('ecs-scale-out decide and revertDecision (pure)', () => {
  const scope = { config: config(), service: config().services[0]! } as unknown as MitigationScope;
  const underScaling = (desiredCount: number, minCapacity: number, maxCapacity: number): State => ({
    desiredCount,
    runningCount: desiredCount,
    scalableTarget: true,
    minCapacity,
    maxCapacity,
  });

  it('a maximum already above the cap is kept, not lowered, and the minimum stops at the cap', () => {
    const decision = ecsScaleOut.decide(scope, underScaling(19, 2, 30));
    assert.deepEqual(decision.act && decision.desired, { minCapacity: 20, maxCapacity: 30 });
  });

  it('the minimum rises from itself when scaling runs at the minimum', () => {
    const decision = ecsScaleOut.decide(scope, underScaling(5, 8, 10));
    assert.deepEqual(decision.act && decision.desired, { minCapacity: 10, maxCapacity: 10 });
  });

  const record = { before: underScaling(4, 4, 4), desired: { minCapacity: 6, maxCapacity: 6 }, after: underScaling(6, 6, 6) } as unknown as ActionRecord;

  it('revert refuses when the maximum moved since, naming it', () => {
    const decision = ecsScaleOut.revertDecision(scope, underScaling(6, 6, 12), record);
    assert.deepEqual(decision, { act: false, reason: 'maximum capacity is now 12 (the scale-out set 6): changed after the scale-out; not reverting' });
  });

  it('revert refuses when the scalable target was deregistered since', () => {
    const decision = ecsScaleOut.revertDecision(
      scope,
      { desiredCount: 6, runningCount: 6, scalableTarget: false, minCapacity: null, maxCapacity: null },
      record,
    );
    assert.equal(decision.act, false);
    assert.match(decision.reason, /^the service has no Application Auto Scaling target any more; .* raised its minimum capacity 4 -> 6; not reverting$/);
  });

  it('revert of a scale-out that left the world as it was restores both capacities', () => {
    const decision = ecsScaleOut.revertDecision(scope, underScaling(6, 6, 6), record);
    assert.deepEqual(decision.act && decision.desired, { minCapacity: 4, maxCapacity: 4 });
    assert.equal(decision.reason, 'restore the minimum capacity 6 -> 4 and the maximum capacity 6 -> 4; the scaling policies then scale in as load allows');
  });
});
