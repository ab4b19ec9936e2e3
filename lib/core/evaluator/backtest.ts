import type { AlarmSpec } from '../alarms/alarm-spec';
import type { MetricSamples } from './aggregate';
import { evaluateAlarm, stepOf } from './alarm';
import type { MetricAlarmTimeline } from './evaluate';
import { formatDuration } from './duration';
import { bindSeries } from './inputs';
import type { AlarmState, Timeline } from './state';

/** How to summarise a backtest. */
export interface BacktestOptions {
  /**
   * A return to ALARM less than this long after the previous ALARM ended counts as a flap.
   * @default one hour
   */
  readonly flapWindowMs?: number;
  /** Periods CloudWatch reads per evaluation. @default N + 2 (see missing-data.ts) */
  readonly evaluationRange?: number;
}

/** One stretch of time in ALARM. */
export interface AlarmEpisode {
  readonly start: number;
  /** When the alarm left ALARM, or the end of the data if it never did. */
  readonly end: number;
  readonly ongoing: boolean;
}

/** What a threshold would have done on the historical data. */
export interface BacktestResult {
  readonly alarmName: string;
  readonly alertId: string;
  readonly severity: string;
  /** The threshold evaluated (a composite's: its children's). */
  readonly threshold: number | undefined;
  /** Start of the first evaluation step and time of the last evaluation (epoch ms). */
  readonly from: number;
  readonly to: number;
  readonly evaluations: number;
  /** Evaluations whose newest datapoint (window) had no data (metric alarms). */
  readonly evaluationsWithoutData: number | undefined;
  /** Transitions into ALARM. */
  readonly fires: number;
  readonly timeInAlarmMs: number;
  readonly timeInsufficientMs: number;
  readonly longestAlarmMs: number;
  /** Returns to ALARM less than `flapWindowMs` after the previous ALARM ended. */
  readonly flaps: number;
  readonly flapWindowMs: number;
  readonly episodes: readonly AlarmEpisode[];
}

const HOUR_MS = 3_600_000;

/**
 * Replays historical samples through an alarm: from a newly created alarm (INSUFFICIENT_DATA) at the first
 * period start, evaluated at the end of every period up to the period of the last sample.
 * @param series samples by metric id or name (inputs.ts)
 * @throws InputError for a series the alarm does not read
 */
export function backtest(
  spec: AlarmSpec,
  series: ReadonlyMap<string, MetricSamples>,
  range: { first: number; last: number },
  options: BacktestOptions = {},
): BacktestResult {
  const stepMs = stepOf(spec);
  const start = Math.floor(range.first / stepMs) * stepMs;
  const to = start + (Math.floor((range.last - start) / stepMs) + 1) * stepMs;
  const timeline = evaluateAlarm(spec, bindSeries(spec, series), { start, end: to, evaluationRange: options.evaluationRange });
  const episodes = alarmEpisodes(timeline, to);
  const flapWindowMs = options.flapWindowMs ?? HOUR_MS;
  let flaps = 0;
  for (let i = 1; i < episodes.length; i++) if (episodes[i]!.start - episodes[i - 1]!.end < flapWindowMs) flaps += 1;
  const classes = 'classes' in timeline ? (timeline as MetricAlarmTimeline).classes : undefined;
  return {
    alarmName: spec.alarmName,
    alertId: spec.alertId,
    severity: spec.severity,
    threshold: spec.kind === 'composite' ? spec.children[0]?.threshold : spec.threshold,
    from: start,
    to,
    evaluations: timeline.evaluations,
    evaluationsWithoutData: classes?.filter((c) => c === -1).length,
    fires: episodes.length,
    timeInAlarmMs: episodes.reduce((sum, e) => sum + e.end - e.start, 0),
    timeInsufficientMs: timeIn(timeline, 'INSUFFICIENT_DATA', to),
    longestAlarmMs: episodes.reduce((longest, e) => Math.max(longest, e.end - e.start), 0),
    flaps,
    flapWindowMs,
    episodes,
  };
}

function alarmEpisodes(timeline: Timeline, end: number): AlarmEpisode[] {
  const episodes: AlarmEpisode[] = [];
  let open: number | undefined;
  for (const t of timeline.transitions) {
    if (t.to === 'ALARM') open = t.at;
    else if (open !== undefined) {
      episodes.push({ start: open, end: t.at, ongoing: false });
      open = undefined;
    }
  }
  if (open !== undefined) episodes.push({ start: open, end, ongoing: true });
  return episodes;
}

function timeIn(timeline: Timeline, state: AlarmState, end: number): number {
  let total = 0;
  let since = timeline.initialState === state ? timeline.start : undefined;
  for (const t of timeline.transitions) {
    if (since !== undefined && t.to !== state) {
      total += t.at - since;
      since = undefined;
    } else if (since === undefined && t.to === state) since = t.at;
  }
  return since === undefined ? total : total + end - since;
}

/**
 * Backtest results as a table, one row per threshold tried (the first is the deployed one), followed by the
 * ALARM episodes of the first.
 */
export function formatBacktest(results: readonly BacktestResult[], rule: string, source: string): string {
  const [first] = results;
  if (first === undefined) return '';
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  const lines = [
    `backtest ${first.alarmName} (${first.alertId}, ${first.severity})`,
    `  rule  ${rule}`,
    `  data  ${source}: ${iso(first.from)} to ${iso(first.to)}, ${first.evaluations} evaluations${first.evaluationsWithoutData === undefined ? '' : ` (${first.evaluationsWithoutData} with no datapoint in the newest window)`}`,
    '',
  ];
  const header = ['threshold', 'fires', 'time in ALARM', 'longest', `flaps (<${formatDuration(first.flapWindowMs)})`, 'INSUFFICIENT_DATA'];
  const rows = results.map((r, i) => [
    `${r.threshold ?? '-'}${i === 0 ? ' (config)' : ''}`,
    String(r.fires),
    formatDuration(r.timeInAlarmMs),
    formatDuration(r.longestAlarmMs),
    String(r.flaps),
    formatDuration(r.timeInsufficientMs),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  for (const row of [header, ...rows]) lines.push(`  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
  lines.push('', first.episodes.length === 0 ? `  no ALARM at ${first.threshold}` : `  ALARM episodes at ${first.threshold}:`);
  const shown = first.episodes.slice(0, 20);
  for (const e of shown) lines.push(`    ${iso(e.start)}  ${formatDuration(e.end - e.start)}${e.ongoing ? ' (still in ALARM at the end of the data)' : ''}`);
  if (first.episodes.length > shown.length) lines.push(`    ... and ${first.episodes.length - shown.length} more`);
  return lines.join('\n');
}
