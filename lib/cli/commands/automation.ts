import { GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, type ParameterHistory } from '@aws-sdk/client-ssm';
import type { Command } from 'commander';
import { automationModeParameter } from '../../core/config/derived';
import type { AutomationMode } from '../../core/config/schema';
import { InputError } from '../../core/evaluator';
import type { CliCommand, CliContext } from '../context';
import { colour, printJson, printTable, when } from '../format';
import { eachRegion, openSession, type ResponderRegion } from '../session';

const VERBS: Readonly<Record<'pause' | 'resume' | 'dry-run', AutomationMode>> = { pause: 'disabled', resume: 'enabled', 'dry-run': 'dry-run' };

/**
 * `oncall automation status | pause | resume | dry-run --reason ...`: the switch every responder reads on every
 * invocation, in each region with a responder (`--region` keeps one). Who, when and why are kept in the parameter's
 * own version history (each version's description holds "<who>: <reason>"), so the history cannot drift from the
 * switch. JSON shape of `status --json`: `{ parameter, mode, changes: [{ version, mode, at, by, reason }], regions:
 * [{ region, parameter, mode, changes }] }`, newest change first; the top-level fields are the first region's (the
 * home region's unless `--region` says otherwise), `regions` every region read.
 */
export const automationCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const automation = program.command('automation').description('the automation switch: status, pause, resume, dry-run');
    automation
      .command('status')
      .description('the mode the responders obey now, and who changed it, when and why')
      .option('--region <region>', "only this region's switch (default: every region with a responder)")
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of text')
      .action(async (options: { env: string; region?: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        const statuses = await eachRegion(ctx, session.responderRegions(options.region), readStatus);
        if (options.json) {
          const { region, ...first } = statuses[0]!;
          return printJson(ctx.io, { ...first, regions: statuses });
        }
        for (const [index, status] of statuses.entries()) {
          const painted = status.mode === 'enabled' ? colour(ctx.io, 'green', status.mode) : colour(ctx.io, 'yellow', status.mode);
          ctx.io.out(`${index > 0 ? '\n' : ''}automation is ${painted} in ${status.region} (${status.parameter})\n\n`);
          printTable(
            ctx.io,
            ['VERSION', 'MODE', 'WHEN', 'BY', 'WHY'],
            status.changes.map((c) => [String(c.version), c.mode, when(c.at), c.by, c.reason]),
            'no changes recorded',
          );
        }
      });
    for (const [verb, mode] of Object.entries(VERBS)) {
      automation
        .command(verb)
        .description(
          `${mode === 'disabled' ? 'stop every automatic action' : mode === 'enabled' ? 'let the responders act again' : 'record and announce what would be done, change nothing'} (mode ${mode})`,
        )
        .requiredOption('--reason <text>', 'why: kept with the change, shown in status')
        .option('--region <region>', "only this region's switch (default: every region with a responder)")
        .option('--env <name>', 'environment of config/', 'default')
        .action(async (options: { env: string; region?: string; reason: string }) => {
          if (options.reason.trim().length < 3) throw new InputError('--reason must say why (at least 3 characters)');
          const session = openSession(ctx, options.env);
          const description = `${await session.who()}: ${options.reason.trim()}`.slice(0, 1024);
          // Every region, even when one cannot be reached: pausing the others is what on-call asked for.
          const switched = await eachRegion(ctx, session.responderRegions(options.region), async ({ region, config, clients }) => {
            const parameter = automationModeParameter(config);
            await clients.ssm.send(
              new PutParameterCommand({
                Name: parameter,
                Value: mode,
                Type: 'String',
                Overwrite: true,
                Description: description,
                AllowedPattern: '^(enabled|dry-run|disabled)$',
              }),
            );
            return `automation is now ${mode} in ${region} (${parameter}); its responder reads it on its next invocation\n`;
          });
          for (const line of switched) ctx.io.out(line);
        });
    }
  },
};

interface Status {
  readonly region: string;
  readonly parameter: string;
  readonly mode: string;
  readonly changes: readonly { version: number; mode: string; at: string | undefined; by: string; reason: string }[];
}

async function readStatus({ region, config, clients }: ResponderRegion): Promise<Status> {
  const parameter = automationModeParameter(config);
  const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: parameter }));
  const history: ParameterHistory[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ssm.send(new GetParameterHistoryCommand({ Name: parameter, NextToken: token, MaxResults: 50 }));
    history.push(...(page.Parameters ?? []));
    token = page.NextToken;
  } while (token);
  const changes = history
    .map((h) => {
      const [by, ...why] = (h.Description ?? '').split(': ');
      return {
        version: h.Version ?? 0,
        mode: h.Value ?? '?',
        at: h.LastModifiedDate?.toISOString(),
        by: why.length ? by! : (h.LastModifiedUser ?? 'the stack (deploy)'),
        reason: why.length ? why.join(': ') : (h.Description ?? '-'),
      };
    })
    .sort((a, b) => b.version - a.version);
  return { region, parameter, mode: Parameter?.Value ?? 'missing (responders fail closed: disabled)', changes };
}
