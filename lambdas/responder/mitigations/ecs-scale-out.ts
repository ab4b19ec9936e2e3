import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ecsMaxDesiredCount } from '../../../lib/core/config/derived';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';
import { describeService, ecsTarget, splitTarget } from './ecs-service';

/** Latency or CPU: "scale up if needed": add tasks by a step, never past the configured cap. */
export const ecsScaleOut: Mitigation<'ecs'> = {
  id: 'ecs-scale-out',
  title: 'Scale out the ECS service',
  uses: ['ecs'],
  protective: false,
  target: ecsTarget,

  async read(ctx: MitigationScope<'ecs'>, target: Target): Promise<State> {
    const service = await describeService(ctx, target);
    return { desiredCount: service.desiredCount ?? 0, runningCount: service.runningCount ?? 0 };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    const cap = ecsMaxDesiredCount(ctx.config, ctx.service);
    const current = Number(before.desiredCount);
    if (current >= cap) return { act: false, reason: `desired count ${current} is at the cap of ${cap}` };
    const next = Math.min(current + ctx.config.automation.ecsScaleOutStep, cap);
    return { act: true, desired: { desiredCount: next }, reason: `raise desired count from ${current} to ${next} (cap ${cap})` };
  },

  async apply(ctx: MitigationScope<'ecs'>, target: Target, desired: State): Promise<void> {
    const [cluster, service] = splitTarget(target);
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: Number(desired.desiredCount) }));
  },

  revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    const from = Number(record.before?.desiredCount);
    const to = Number(record.after?.desiredCount);
    const now = Number(current.desiredCount);
    if (now !== to) return { act: false, reason: `desired count is now ${now}, changed after the scale-out from ${from} to ${to}; not reverting` };
    return { act: true, desired: { desiredCount: from }, reason: `lower desired count from ${to} back to ${from}` };
  },
};
