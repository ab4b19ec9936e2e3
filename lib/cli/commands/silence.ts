import type { Command } from 'commander';
import { SilenceEndedError, SilenceNotFoundError } from '../../../lambdas/shared/storage/silences';
import { ALERT_IDS, CATEGORIES, type Category } from '../../core/catalog';
import type { Config } from '../../core/config/schema';
import { closeMatches, InputError } from '../../core/evaluator';
import { describeMatch, isActive, windowsInForce, type Silence, type SilenceMatch } from '../../core/silences';
import type { CliCommand, CliContext } from '../context';
import { colour, parseSpan, printJson, printTable, when } from '../format';
import { NotFoundError, openSession } from '../session';

/** The longest silence: anything longer is a maintenance window and belongs in config (`silencing`). */
const MAX_SILENCE_MS = 7 * 86_400_000;
/** How far back `silences --all` looks. */
const HISTORY_MS = 30 * 86_400_000;

/** A silence as the listing shows it: the stored record plus where it stands. */
type ListedSilence = Silence & { readonly state: 'active' | 'expired' | 'ended' };

/**
 * `oncall silence (ALERT | --service S | --category C) --for 2h --reason ...`, `oncall silences`, `oncall
 * unsilence ID`: quiet alerts for a while. A silenced alarm still fires and is recorded in its incident's timeline;
 * nobody is paged and no mitigation runs (each is recorded as skipped). Silences end by themselves; the record
 * stays in the audit table (who, why, until when, who ended it).
 *
 * Exit codes: 0 done; 2 bad usage (not exactly one of ALERT/--service/--category, unknown alert, service or
 * category, --for not a duration or above 7d, empty reason); 3 `unsilence` of an id that names no silence; 4 AWS
 * unavailable. `unsilence` of a silence already over changes nothing and exits 0.
 *
 * JSON shapes (`--json`):
 * - `silence`: the created silence, `{ id, match, until, createdAt, createdBy, reason }`, where `match` is one of
 *   `{ alertId }`, `{ service }`, `{ category }` and times are ISO 8601 UTC.
 * - `silences`: `{ silences, windows }`: `silences` as above plus `endedAt?`, `endedBy?` and `state` (`active` |
 *   `expired` | `ended`), ending latest first; `windows` the config windows in force now, `{ kind: 'maintenance' |
 *   'low-traffic', name, until, reason, days, start, end, timezone, match }`.
 * - `unsilence`: `{ status: 'ended' | 'already-over', silence }` with the silence as stored afterwards.
 */
export const silenceCommands: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('silence')
      .description('quiet an alert, a service or a category for a while: alarms are still recorded, nobody is paged, no mitigation runs')
      .argument('[alert]', 'alert id, e.g. HighAPIErrorRate (every service)')
      .option('--service <name>', 'every per-service alert of this configured service')
      .option('--category <name>', `every alert of a category (${CATEGORIES.join(', ')})`)
      .requiredOption('--for <span>', 'how long, at most 7d (30m, 2h, 1d)')
      .requiredOption('--reason <text>', 'why, for the timeline and the audit trail')
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of text')
      .action(async (alert: string | undefined, options: { service?: string; category?: string; for: string; reason: string; env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        const match = matchOf(alert, options, session.config);
        const span = spanOf(options.for);
        const reason = options.reason.trim();
        if (reason === '' || reason.length > 500) throw new InputError(`--reason must be 1 to 500 characters, received ${reason.length}`);
        const now = new Date();
        const silence = await session.silences.create({
          match,
          until: new Date(now.getTime() + span).toISOString(),
          createdAt: now.toISOString(),
          createdBy: await session.who(),
          reason,
        });
        if (options.json) return printJson(ctx.io, silence);
        ctx.io.out(
          [
            `Silenced ${describeMatch(match)} until ${when(silence.until, now)}: ${reason}`,
            'Its alarms still fire and are recorded in the incident timeline; nobody is paged and no mitigation runs.',
            `Silence ${colour(ctx.io, 'bold', silence.id)}; end it early with: npx oncall unsilence ${silence.id}${options.env === 'default' ? '' : ` --env ${options.env}`}`,
            '',
          ].join('\n'),
        );
      });

    program
      .command('silences')
      .description('the silences in force, and the config windows in force now (--all: also those over in the last 30 days)')
      .option('--all', 'also silences that expired or were ended in the last 30 days')
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of a table')
      .action(async (options: { all?: boolean; env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        const now = new Date();
        const stored = options.all
          ? await session.silences.listSince(new Date(now.getTime() - HISTORY_MS).toISOString())
          : (await session.silences.listActive(now)).reverse();
        const silences: ListedSilence[] = stored.map((s) => ({ ...s, state: isActive(s, now) ? 'active' : s.endedAt ? 'ended' : 'expired' }));
        const windows = windowsInForce(now, session.config).map(({ kind, window, until, reason }) => ({
          kind,
          name: window.name,
          until,
          reason,
          days: window.days,
          start: window.start,
          end: window.end,
          timezone: window.timezone,
          match: window.match,
        }));
        if (options.json) return printJson(ctx.io, { silences, windows });
        printTable(
          ctx.io,
          ['ID', 'MATCH', 'UNTIL', 'STATE', 'CREATED BY', 'REASON'],
          silences.map((s) => [
            s.id,
            describeMatch(s.match),
            when(s.until, now),
            s.state === 'ended' ? `ended by ${s.endedBy}` : s.state === 'active' ? colour(ctx.io, 'yellow', 'active') : 'expired',
            s.createdBy,
            s.reason,
          ]),
          options.all ? 'no silences in the last 30 days' : 'no silences in force',
        );
        if (windows.length > 0) {
          ctx.io.out(`\nConfig windows in force now (silencing in config/${options.env}):\n`);
          for (const w of windows) ctx.io.out(`  ${w.kind} ${w.name} until ${when(w.until, now)}: ${w.reason}\n`);
        }
      });

    program
      .command('unsilence')
      .description('end a silence now: new alarm transitions page and act again')
      .argument('<id>', 'the silence id (oncall silences)')
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of text')
      .action(async (id: string, options: { env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        let status: 'ended' | 'already-over';
        let silence: Silence;
        try {
          silence = await session.silences.end(id, await session.who(), new Date());
          status = 'ended';
        } catch (error) {
          if (error instanceof SilenceNotFoundError) throw new NotFoundError(`no silence ${id} (list them with: oncall silences --all)`);
          if (!(error instanceof SilenceEndedError)) throw error;
          silence = error.silence;
          status = 'already-over';
        }
        if (options.json) return printJson(ctx.io, { status, silence });
        ctx.io.out(
          status === 'ended'
            ? `Ended silence ${silence.id} (${describeMatch(silence.match)}): new alarm transitions page and act again.\n`
            : `Silence ${silence.id} (${describeMatch(silence.match)}) was already over (${silence.endedAt ? `ended by ${silence.endedBy}` : 'expired'} at ${silence.until}); nothing changed.\n`,
        );
      });
  },
};

/** Exactly one of ALERT, --service, --category, each checked against the catalog and the config. */
function matchOf(alert: string | undefined, options: { service?: string; category?: string }, config: Config): SilenceMatch {
  const given = [
    alert !== undefined && `ALERT ${alert}`,
    options.service !== undefined && `--service ${options.service}`,
    options.category !== undefined && `--category ${options.category}`,
  ].filter(Boolean);
  if (given.length !== 1)
    throw new InputError(`name exactly one of ALERT, --service or --category; received ${given.length === 0 ? 'none' : given.join(' and ')}`);
  if (alert !== undefined) {
    if (!ALERT_IDS.includes(alert)) {
      const close = closeMatches(alert, ALERT_IDS);
      throw new InputError(`unknown alert "${alert}"${close.length > 0 ? `. Did you mean: ${close.join(', ')}?` : ' (see the alert table in docs/alerts.md)'}`);
    }
    return { alertId: alert };
  }
  if (options.service !== undefined) {
    const services = config.services.map((s) => s.name);
    if (!services.includes(options.service)) throw new InputError(`unknown service "${options.service}"; configured: ${services.join(', ')}`);
    return { service: options.service };
  }
  const category = options.category!;
  if (!(CATEGORIES as readonly string[]).includes(category)) throw new InputError(`unknown category "${category}"; one of: ${CATEGORIES.join(', ')}`);
  return { category: category as Category };
}

/** --for as milliseconds: a duration above zero and at most 7 days. */
function spanOf(text: string): number {
  let ms: number;
  try {
    ms = parseSpan(text);
  } catch (error) {
    throw new InputError(`--for: ${(error as Error).message}`);
  }
  if (ms <= 0) throw new InputError(`--for must be longer than zero, received "${text}"`);
  if (ms > MAX_SILENCE_MS)
    throw new InputError(`--for must be at most 7d, received "${text}" (a recurring quiet period belongs in config: silencing.maintenanceWindows)`);
  return ms;
}
