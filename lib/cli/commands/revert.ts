import type { Command } from 'commander';
import { revert, type RevertResult } from '../../../lambdas/responder/revert';
import type { Log } from '../../../lambdas/shared/observability';
import { automationModeParameter } from '../../core/config/derived';
import { roleTopicName } from '../../core/topic-names';
import { describeChange } from '../report/actions';
import { EXIT, type CliCommand, type CliContext } from '../context';
import { colour, printJson } from '../format';
import { eachRegion, NotFoundError, openSession } from '../session';

const SILENT: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * `oncall revert <actionId>`: undoes an automatic action from its recorded before-state (lambdas/responder/revert.ts),
 * unless the world moved on since. Exit 0 reverted, 1 refused (with the reason) or failed, 3 unknown action.
 * JSON shape (`--json`): `{ status: 'reverted' | 'refused' | 'failed', actionId, reason?, revert? }`, where
 * `revert` is the revert's own audit record (ActionRecord, id `revert-<actionId>`).
 */
export const revertCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('revert')
      .description('undo an automatic action from its recorded before-state; refused if the target changed since')
      .argument('<actionId>', 'the action to undo (oncall actions; every announcement names it)')
      .option('--reason <text>', 'why, for the audit record and the announcement')
      .option('--region <region>', "look for the action in this region's audit log only (default: every region with a responder)")
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of text')
      .action(async (actionId: string, options: { reason?: string; region?: string; env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        // The action is reverted by the region whose responder took it: its targets, audit log, switch and on-call topic.
        const regions = session.responderRegions(options.region);
        const holder = (await eachRegion(ctx, regions, async (r) => ((await r.audit.get(actionId)) ? r : undefined))).find((r) => r !== undefined);
        if (!holder) throw new NotFoundError(`no action ${actionId} in ${regions.map((r) => r.region).join(', ')} (list them with: oncall actions)`);
        const { region, config, clients, audit } = holder;
        const { partition, accountId } = await session.account();
        // The responder announces on the on-call topic; its ARN is built like the escalation's role topics.
        const announceTopicArn = `arn:${partition}:sns:${region}:${accountId}:${roleTopicName(config.prefix, 'on-call-primary')}`;
        const result = await revert(
          {
            partition,
            accountId,
            region,
            config,
            clients,
            audit,
            announceTopicArn,
            automationModeParameter: automationModeParameter(config),
            now: () => new Date(),
            logger: SILENT,
          },
          { actionId, actor: { kind: 'person', name: await session.who(), via: 'cli' }, ...(options.reason ? { reason: options.reason } : {}) },
        );
        if (result.status === 'unknown-action') throw new NotFoundError(`no action ${actionId} (list them with: oncall actions)`);
        ctx.exitCode = result.status === 'reverted' ? EXIT.OK : EXIT.FAILED;
        if (options.json) return printJson(ctx.io, json(result));
        print(ctx, result);
      });
  },
};

function json(result: Exclude<RevertResult, { status: 'unknown-action' }>) {
  const { status, original } = result;
  return result.status === 'refused'
    ? { status, actionId: original.actionId, reason: result.reason }
    : { status, actionId: original.actionId, revert: result.record };
}

function print(ctx: CliContext, result: Exclude<RevertResult, { status: 'unknown-action' }>): void {
  const { original } = result;
  const what = `${original.actionId} (${original.mitigation} on ${original.target ?? '-'}, ${original.alertId})`;
  if (result.status === 'refused') {
    ctx.io.err(`${colour(ctx.io, 'red', 'not reverted')}: ${result.reason}\n`);
    return;
  }
  const { record } = result;
  if (result.status === 'failed') {
    ctx.io.err(`${colour(ctx.io, 'red', 'revert FAILED')} ${what}: ${record.error ?? 'unknown error'}\n`);
    ctx.io.err(`the target may be half-changed: check ${record.target ?? 'it'} by hand (record ${record.actionId}, announced to on-call)\n`);
    return;
  }
  ctx.io.out(`${colour(ctx.io, 'green', 'reverted')} ${what}: ${describeChange(record)}\n`);
  ctx.io.out(`recorded as ${record.actionId} (mode ${record.mode}), announced to on-call\n`);
}
