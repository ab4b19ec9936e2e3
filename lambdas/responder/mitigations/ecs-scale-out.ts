import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ecsMaxDesiredCount } from '../../../lib/core/config/derived';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';
import { describeService, ecsTarget, splitTarget } from './ecs-service';

/** The scalable dimension of an ECS service's task count in Application Auto Scaling. */
const DIMENSION = 'ecs:service:DesiredCount';

/** The Application Auto Scaling resource id of the target service: `service/<cluster>/<service>`. */
function resourceId(target: Target): string {
  const [cluster, service] = splitTarget(target);
  return `service/${cluster}/${service}`;
}

/** Whether a desired state (of a scale-out or of its revert) moves the scalable target's capacities, not desiredCount. */
const movesCapacities = (desired: Readonly<Record<string, unknown>>): boolean => typeof desired.minCapacity === 'number';

/**
 * Latency or CPU: "scale up if needed": add tasks by a step, never past the configured cap. The lever depends on the
 * service. On a service under Application Auto Scaling, desiredCount is the scaling policies' to set: "as long as you
 * have active scaling policies and alarms on a service, Service Auto Scaling could change a desired count that was
 * manually set by you" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html), so the
 * next scaling activity would undo a scale-out. There the lever is the scalable target's minimum capacity (and its
 * maximum, when the new minimum exceeds it), which every scaling activity respects. Without a scalable target,
 * desiredCount is the lever.
 */
export const ecsScaleOut: Mitigation<'ecs' | 'autoscaling'> = {
  id: 'ecs-scale-out',
  title: 'Scale out the ECS service',
  uses: ['ecs', 'autoscaling'],
  protective: false,
  target: ecsTarget,

  async read(ctx: MitigationScope<'ecs' | 'autoscaling'>, target: Target): Promise<State> {
    const service = await describeService(ctx, target);
    const { ScalableTargets } = await ctx.clients.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId(target)], ScalableDimension: DIMENSION }),
    );
    const scalable = ScalableTargets?.[0];
    return {
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
      scalableTarget: scalable !== undefined,
      minCapacity: scalable?.MinCapacity ?? null,
      maxCapacity: scalable?.MaxCapacity ?? null,
    };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    const cap = ecsMaxDesiredCount(ctx.config, ctx.service);
    const step = ctx.config.automation.ecsScaleOutStep;
    const current = Number(before.desiredCount);
    if (before.scalableTarget === true) {
      const min = Number(before.minCapacity);
      const max = Number(before.maxCapacity);
      // The floor to raise: the minimum, or the desired count if scaling already runs above it.
      const from = Math.max(min, current);
      if (from >= cap) {
        return {
          act: false,
          reason: `service under Application Auto Scaling: its minimum capacity ${min} and desired count ${current} are at or above the cap of ${cap}; not raising the minimum`,
        };
      }
      const nextMin = Math.min(from + step, cap);
      // A minimum above the maximum is invalid; the maximum rises with it, to nextMin at most, so never past the cap.
      const nextMax = Math.max(max, nextMin);
      return {
        act: true,
        desired: { minCapacity: nextMin, maxCapacity: nextMax },
        reason:
          `service under Application Auto Scaling: raise its minimum capacity ${min} -> ${nextMin} ` +
          `(max ${nextMax === max ? String(max) : `${max} -> ${nextMax}`}, cap ${cap}), so scaling keeps at least ${nextMin} tasks; ` +
          'setting desiredCount would be undone by the next scaling activity',
      };
    }
    if (current >= cap) return { act: false, reason: `desired count ${current} is at the cap of ${cap}` };
    const next = Math.min(current + step, cap);
    return {
      act: true,
      desired: { desiredCount: next },
      reason: `no Application Auto Scaling target on the service: raise desired count from ${current} to ${next} (cap ${cap})`,
    };
  },

  async apply(ctx: MitigationScope<'ecs' | 'autoscaling'>, target: Target, desired: State): Promise<void> {
    if (movesCapacities(desired)) {
      // RegisterScalableTarget on a registered target updates it: "To update a scalable target, specify the parameters
      // that you want to change ... Any parameters that you don't specify are not changed by this update request", so
      // its role, suspended state and tags stay. On an active resource it also "changes the resource's current capacity
      // to a value that is inside of this range": raising the minimum raises the desired count at once.
      // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
      await ctx.clients.autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ResourceId: resourceId(target),
          ScalableDimension: DIMENSION,
          MinCapacity: Number(desired.minCapacity),
          MaxCapacity: Number(desired.maxCapacity),
        }),
      );
      return;
    }
    const [cluster, service] = splitTarget(target);
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: Number(desired.desiredCount) }));
  },

  revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    const set = record.desired ?? {};
    if (movesCapacities(set)) {
      const [fromMin, fromMax] = [Number(record.before?.minCapacity), Number(record.before?.maxCapacity)];
      const [toMin, toMax] = [Number(set.minCapacity), Number(set.maxCapacity)];
      if (current.scalableTarget !== true) {
        return {
          act: false,
          reason: `the service has no Application Auto Scaling target any more; it was deregistered after the scale-out raised its minimum capacity ${fromMin} -> ${toMin}; not reverting`,
        };
      }
      const [nowMin, nowMax] = [Number(current.minCapacity), Number(current.maxCapacity)];
      const changed = [
        ...(nowMin !== toMin ? [`minimum capacity is now ${nowMin} (the scale-out set ${toMin})`] : []),
        ...(nowMax !== toMax ? [`maximum capacity is now ${nowMax} (the scale-out set ${toMax})`] : []),
      ];
      if (changed.length > 0) return { act: false, reason: `${changed.join(', ')}: changed after the scale-out; not reverting` };
      return {
        act: true,
        desired: { minCapacity: fromMin, maxCapacity: fromMax },
        reason: `restore the minimum capacity ${toMin} -> ${fromMin} and the maximum capacity ${toMax === fromMax ? `${toMax} (unchanged)` : `${toMax} -> ${fromMax}`}; the scaling policies then scale in as load allows`,
      };
    }
    const from = Number(record.before?.desiredCount);
    const to = Number(record.after?.desiredCount);
    const now = Number(current.desiredCount);
    if (now !== to) return { act: false, reason: `desired count is now ${now}, changed after the scale-out from ${from} to ${to}; not reverting` };
    return { act: true, desired: { desiredCount: from }, reason: `lower desired count from ${to} back to ${from}` };
  },
};
