import type { Command } from 'commander';
import type { ActionRecord } from '../../../lambdas/shared/storage/audit-log';
import { describeChange } from '../report/actions';
import type { CliCommand, CliContext } from '../context';
import { colour, parseSpan, printJson, printTable, when } from '../format';
import { eachRegion, NotFoundError, openSession } from '../session';

/**
 * `oncall actions`: what the automation did, and why, in every region with a responder (`--region` keeps one).
 * JSON shape (`--json`): an array of audit records, newest first, as stored (see ActionRecord in
 * lambdas/shared/storage/audit-log.ts): actionId, incidentId, alarmName, alertId, service, severity, mitigation,
 * target, mode, decision, reason, outcome, evidence, before, desired, after, error, revertCommand, createdAt,
 * updatedAt; and `region`, the region whose responder recorded it.
 */
export const actionsCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('actions')
      .description('the automatic actions: time, alert, mitigation, target, mode, decision, before -> after, outcome, verified')
      .option('--since <span>', 'how far back (30m, 24h, 7d)', '24h')
      .option('--alert <AlertId>', 'only this alert')
      .option('--incident <id>', 'only the actions of this incident (its alarm transitions)')
      .option('--region <region>', "only this region's responder (default: every region with one)")
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of a table')
      .action(async (options: { since: string; alert?: string; incident?: string; region?: string; env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        const since = new Date(Date.now() - parseSpan(options.since)).toISOString();
        const regions = session.responderRegions(options.region);
        const read = await eachRegion(ctx, regions, async ({ region, audit }) => (await audit.listSince(since)).map((r) => ({ ...r, region })));
        let records = read.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        if (options.alert) records = records.filter((r) => r.alertId === options.alert);
        if (options.incident) {
          const incident = await session.store.get(options.incident);
          if (!incident) throw new NotFoundError(`no incident ${options.incident} (list them with: oncall incidents)`);
          const triggers = new Set(incident.triggers);
          records = records.filter((r) => triggers.has(r.incidentId));
        }
        if (options.json) return printJson(ctx.io, records);
        // One region needs no column; several need it, since a target's name can be the same in each.
        const byRegion = regions.length > 1;
        printTable(
          ctx.io,
          [...(byRegion ? ['REGION'] : []), 'TIME', 'ALERT', 'MITIGATION', 'TARGET', 'MODE', 'DECISION', 'BEFORE -> AFTER', 'OUTCOME', 'ACTION ID / WHY'],
          records.map((r) => [...(byRegion ? [r.region] : []), ...row(ctx, r)]),
          `no automatic actions since ${since}`,
        );
      });
  },
};

function row(ctx: CliContext, r: ActionRecord): string[] {
  const outcome = r.outcome ?? '-';
  const painted =
    outcome === 'failed' || outcome === 'ineffective' || outcome === 'unknown'
      ? colour(ctx.io, 'red', outcome)
      : outcome === 'verified'
        ? colour(ctx.io, 'green', outcome)
        : outcome;
  return [
    when(r.createdAt),
    r.alertId,
    r.mitigation,
    r.target ?? '-',
    r.mode,
    r.decision,
    describeChange(r),
    painted,
    r.decision === 'skipped' ? r.reason : r.actionId,
  ];
}
