import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { rdsClassLadder, rdsClassLadderField } from '../../../lib/core/config/derived';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';

/**
 * "If database overload: scale up RDS", applied immediately: by default straight to the top of the configured
 * ladder (the runbook's db.r6g.2xlarge), or one class per action with `automation.rdsScaleUpTo: 'next'`. Never past
 * the top, never from a class the ladder does not name (it could already be larger than the top).
 */
export const rdsScaleUp: Mitigation<'rds'> = {
  id: 'rds-scale-up',
  title: 'Scale up the RDS instance',
  uses: ['rds'],
  protective: false,

  target(ctx: MitigationScope): Target | undefined {
    const rds = ctx.service.rds;
    return rds && { key: `rds:${rds.instanceId}`, id: rds.instanceId, tagged: { service: 'rds', resource: `db:${rds.instanceId}` } };
  },

  async read(ctx: MitigationScope<'rds'>, target: Target): Promise<State> {
    const { DBInstances } = await ctx.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: target.id }));
    const instance = DBInstances?.[0];
    if (!instance) throw new Error(`RDS instance ${target.id} not found`);
    return { instanceClass: instance.DBInstanceClass ?? null, status: instance.DBInstanceStatus ?? null };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    const ladder = rdsClassLadder(ctx.config, ctx.service);
    const current = String(before.instanceClass);
    const step = ladder.indexOf(current);
    const cap = ladder[ladder.length - 1]!;
    if (before.status !== 'available') return { act: false, reason: `instance is ${String(before.status)}, not available` };
    if (step < 0) {
      return {
        act: false,
        reason:
          `class ${current} is not on the rds-scale-up ladder (${ladder.join(' -> ')}), so nothing says whether ${cap} is larger; ` +
          `add ${current} to ${rdsClassLadderField(ctx.service)} in size order to let rds-scale-up move it`,
      };
    }
    if (step === ladder.length - 1) return { act: false, reason: `class ${current} is the cap of the ladder` };
    const toCap = ctx.config.automation.rdsScaleUpTo === 'cap';
    const next = toCap ? cap : ladder[step + 1]!;
    return {
      act: true,
      desired: { instanceClass: next },
      reason: toCap
        ? `scale ${current} -> ${next}, the top of the ladder (automation.rdsScaleUpTo: cap)`
        : `scale ${current} -> ${next}, one class up (cap ${cap})`,
    };
  },

  async apply(ctx: MitigationScope<'rds'>, target: Target, desired: State): Promise<void> {
    await ctx.clients.rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: target.id, DBInstanceClass: String(desired.instanceClass), ApplyImmediately: true }),
    );
  },

  revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    const from = String(record.before?.instanceClass);
    // The class the action set, not the after-state's: on AWS the read right after ModifyDBInstance can still
    // show the old class, the new one pending, and the finished scale-up must not look like someone else's.
    const to = String(record.desired?.instanceClass);
    const now = String(current.instanceClass);
    if (now !== to) return { act: false, reason: `the instance is now ${now}, changed after the scale-up from ${from} to ${to}; not reverting` };
    if (current.status !== 'available')
      return { act: false, reason: `the instance is ${String(current.status)}, not available; revert once the modification has finished` };
    return { act: true, desired: { instanceClass: from }, reason: `scale ${to} back to ${from}` };
  },
};
