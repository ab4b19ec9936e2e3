import type { Command } from 'commander';
import { alertSettings } from '../../core/config/alert-settings';
import { findAlert } from '../../core/catalog';
import { InputError } from '../../core/evaluator';
import { hygiene, renderHygiene } from '../report/hygiene';
import type { CliCommand, CliContext } from '../context';
import { parseSpan, printJson } from '../format';
import { openSession } from '../session';

/**
 * `oncall report`: alert hygiene as the runbook's tuning guidelines ask, over the incidents opened since
 * `--since` (default 90 days, the quarterly review) and the automatic actions of the same window.
 *
 * JSON shape (`--json`; the schema is ReportJson in lib/cli/json-shapes.ts, the type HygieneReport in lib/cli/report/hygiene.ts):
 * ```
 * { since: ISO, until: ISO,
 *   alerts: [{ alertId, severity, fires, incidents, actedFires, noActionFires, noActionShare (0..1),
 *              acknowledgedFires, timeToAck: { count, medianSeconds, p90Seconds }, timeToResolve: { count,
 *              medianSeconds, p90Seconds }, flaps }],   // most fires first; medians null when count is 0
 *   candidates: [{ alertId, rule: 'retire-or-downgrade' | 'tune-duration' | 'check-routing', suggestion }] }
 * ```
 * fires are alarm transitions (incident triggers), attributed to their own alarm's alert; a fire with no
 * `acted` audit record counts as no action; a flap is an alarm firing at most 1 hour after the previous
 * incident with it resolved. The rules and thresholds are TUNING_RULES.
 */
export const reportCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('report')
      .description('alert hygiene: fires per alert, fires with no action, time to ack and resolve, flapping; candidates to tune or retire')
      .option('--since <span>', 'how far back (30d, 90d, 12w)', '90d')
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of a table')
      .action(async (options: { since: string; env: string; json?: boolean }) => {
        let span: number;
        try {
          span = parseSpan(options.since);
        } catch (error) {
          throw new InputError(`--since: ${(error as Error).message}`);
        }
        const session = openSession(ctx, options.env);
        const until = new Date();
        const since = new Date(until.getTime() - span).toISOString();
        const [incidents, actions] = await Promise.all([session.store.listSince(since), session.audit.listSince(since)]);
        const severityOf = (alertId: string) => {
          const alert = findAlert(alertId);
          return alert && alertSettings(alert, session.config).severity;
        };
        const report = hygiene({ incidents, actions, since, until: until.toISOString(), prefix: session.config.prefix, severityOf });
        if (options.json) return printJson(ctx.io, report);
        ctx.io.out(`${renderHygiene(report)}\n`);
      });
  },
};
