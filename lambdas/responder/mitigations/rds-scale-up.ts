import { DescribeDBClustersCommand, DescribeDBInstancesCommand, ModifyDBInstanceCommand, type PendingModifiedValues } from '@aws-sdk/client-rds';
import { rdsClassLadder, rdsClassLadderField } from '../../../lib/core/config/derived';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';

/**
 * "If database overload: scale up RDS", applied immediately: by default straight to the top of the configured
 * ladder (the runbook's db.r6g.2xlarge), or one class per action with `automation.rdsScaleUpTo: 'next'`. Never past
 * the top, never from a class the ladder does not name (it could already be larger than the top).
 *
 * A class change applied immediately interrupts the database, so it acts only where the interruption is a failover
 * (a Multi-AZ instance, an Aurora instance whose cluster has another reader), never with someone's modifications
 * pending (ApplyImmediately would apply them too), and on a Single-AZ instance only with `rds.allowDowntime`.
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
    const clusterId = instance.DBClusterIdentifier ?? null;
    // Whether another instance of an Aurora cluster can take over the writes; a Multi-AZ DB cluster's member is
    // refused whatever its cluster holds (cost below), so its cluster is not read.
    let clusterHasReader: boolean | null = null;
    if (clusterId && isAurora(instance.Engine)) {
      const { DBClusters } = await ctx.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }));
      const members = DBClusters?.[0]?.DBClusterMembers ?? [];
      clusterHasReader = members.some((m) => m.DBInstanceIdentifier !== target.id && m.IsClusterWriter === false);
    }
    return {
      instanceClass: instance.DBInstanceClass ?? null,
      status: instance.DBInstanceStatus ?? null,
      multiAz: instance.MultiAZ ?? false,
      engine: instance.Engine ?? null,
      clusterId,
      clusterHasReader,
      pendingModifications: pendingModifications(instance.PendingModifiedValues),
    };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    const ladder = rdsClassLadder(ctx.config, ctx.service);
    const current = String(before.instanceClass);
    const step = ladder.indexOf(current);
    const cap = ladder[ladder.length - 1]!;
    if (before.status !== 'available') return { act: false, reason: `instance is ${String(before.status)}, not available` };
    if (before.pendingModifications) return { act: false, reason: pendingRefusal(String(before.pendingModifications)) };
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
    const change = toCap
      ? `scale ${current} -> ${next}, the top of the ladder (automation.rdsScaleUpTo: cap)`
      : `scale ${current} -> ${next}, one class up (cap ${cap})`;
    const price = cost(ctx, before);
    if (!price.acceptable) return { act: false, reason: `not scaling ${current} -> ${next}: ${price.text}` };
    return { act: true, desired: { instanceClass: next }, reason: `${change}; ${price.text}` };
  },

  async apply(ctx: MitigationScope<'rds'>, target: Target, desired: State): Promise<void> {
    // ApplyImmediately: the change starts now rather than in the maintenance window, and with it every modification
    // already pending (ModifyDBInstance, ApplyImmediately:
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html), hence decide's refusal
    // while any is pending.
    await ctx.clients.rds.send(
      new ModifyDBInstanceCommand({ DBInstanceIdentifier: target.id, DBInstanceClass: String(desired.instanceClass), ApplyImmediately: true }),
    );
  },

  revertDecision(ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    const from = String(record.before?.instanceClass);
    // The class the action set, not the after-state's: on AWS the read right after ModifyDBInstance can still
    // show the old class, the new one pending, and the finished scale-up must not look like someone else's.
    const to = String(record.desired?.instanceClass);
    const now = String(current.instanceClass);
    if (now !== to) return { act: false, reason: `the instance is now ${now}, changed after the scale-up from ${from} to ${to}; not reverting` };
    if (current.status !== 'available')
      return { act: false, reason: `the instance is ${String(current.status)}, not available; revert once the modification has finished` };
    if (current.pendingModifications) return { act: false, reason: pendingRefusal(String(current.pendingModifications)) };
    const price = cost(ctx, current);
    if (!price.acceptable) return { act: false, reason: `not scaling ${to} back to ${from}: ${price.text}` };
    return { act: true, desired: { instanceClass: from }, reason: `scale ${to} back to ${from}; ${price.text}` };
  },
};

/** Aurora MySQL and Aurora PostgreSQL (engines `aurora-mysql`, `aurora-postgresql`; `aurora` for the oldest MySQL 5.6 clusters). */
function isAurora(engine: unknown): boolean {
  return typeof engine === 'string' && engine.startsWith('aurora');
}

/** The pending modified values as `Name=value, ...` ('' when none), so that a refusal can name them. */
function pendingModifications(pending: PendingModifiedValues | undefined): string {
  return Object.entries(pending ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${name}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

/** Someone's change queued for the maintenance window would go out with ours, unannounced: refuse, naming it. */
function pendingRefusal(pending: string): string {
  return (
    `the instance has modifications pending (${pending}); a class change applied immediately would apply them too, by surprise. ` +
    'Apply or cancel them first (aws rds modify-db-instance), then change the class by hand if still needed'
  );
}

/**
 * What a class change applied immediately costs this instance, and whether the responder may pay it.
 *
 * - Multi-AZ instance: RDS modifies the standby, fails over to it, then modifies the old primary; the failover
 *   typically takes 60-120 s (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html;
 *   instance class changes cause downtime: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.Settings.html).
 * - Aurora: a writer being replaced fails over to a reader if the cluster has one, usually within 60 s and often 30 s;
 *   without a reader Aurora has no instance to promote and writes wait for the instance to come back
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html#Aurora.Managing.FaultTolerance).
 * - A Multi-AZ DB cluster (a non-Aurora cluster): its instances cannot be modified, only the cluster
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/modify-multi-az-db-cluster.html).
 * - Single-AZ: no standby, so the database is down for the whole modification; only with `rds.allowDowntime`.
 */
function cost(ctx: MitigationScope, state: State): { acceptable: boolean; text: string } {
  const aurora = isAurora(state.engine);
  if (state.clusterId && !aurora) {
    return {
      acceptable: false,
      text: `the instance belongs to the Multi-AZ DB cluster ${String(state.clusterId)}, whose instance classes change only with the cluster (ModifyDBCluster), which rds-scale-up does not do`,
    };
  }
  if (aurora && state.clusterHasReader)
    return { acceptable: true, text: `costs an Aurora failover to a reader of ${String(state.clusterId)}, usually under 60 s of errors` };
  if (!aurora && state.multiAz) return { acceptable: true, text: 'costs a Multi-AZ failover of about 60-120 s of errors' };
  const where = aurora ? `Aurora cluster ${String(state.clusterId)} has no reader to fail over to` : 'Single-AZ';
  if (ctx.service.rds?.allowDowntime) return { acceptable: true, text: `costs downtime for the whole modification (${where}, rds.allowDowntime: true)` };
  return {
    acceptable: false,
    text:
      `it would take the database down for the whole modification (${where}), and services[].rds.allowDowntime is false; ` +
      (aurora ? 'add a reader to the cluster' : 'make the instance Multi-AZ') +
      ', or set rds.allowDowntime: true to accept the downtime',
  };
}
