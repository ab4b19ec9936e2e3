import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ecsMaxDesiredCount } from '../../../lib/config/derived';
import type { Decision, Mitigation, MitigationContext, State, Target } from './mitigation';
import { describeService, ecsTarget, splitTarget } from './ecs-service';

/** Latency or CPU: "scale up if needed": add tasks by a step, never past the configured cap. */
export const ecsScaleOut: Mitigation = {
  id: 'ecs-scale-out',
  title: 'Scale out the ECS service',
  target: ecsTarget,

  async read(ctx: MitigationContext, target: Target): Promise<State> {
    const service = await describeService(ctx, target);
    return { desiredCount: service.desiredCount ?? 0, runningCount: service.runningCount ?? 0 };
  },

  decide(ctx: MitigationContext, before: State): Decision {
    const cap = ecsMaxDesiredCount(ctx.config, ctx.service);
    const current = Number(before.desiredCount);
    if (current >= cap) return { act: false, reason: `desired count ${current} is at the cap of ${cap}` };
    const next = Math.min(current + ctx.config.automation.ecsScaleOutStep, cap);
    return { act: true, desired: { desiredCount: next }, reason: `raise desired count from ${current} to ${next} (cap ${cap})` };
  },

  async apply(ctx: MitigationContext, target: Target, desired: State): Promise<void> {
    const [cluster, service] = splitTarget(target);
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: Number(desired.desiredCount) }));
  },
};
