import { ALERT_IDS } from '../../core/catalog';
import {
  backtest,
  describeAlarm,
  findAlarm,
  formatBacktest,
  InputError,
  loadCsv,
  parseDuration,
  resolveAlarmSet,
  type AlarmQuery,
  type BacktestResult,
} from '../../core/evaluator';
import { EXIT, type CliCommand, type CliContext } from '../context';

/** Options of `oncall backtest`. */
interface BacktestCliOptions {
  readonly csv: string;
  readonly env: string;
  readonly instance?: string;
  readonly threshold: readonly string[];
  readonly flapWindow: string;
  readonly json?: boolean;
}

/**
 * `oncall backtest ALERT --csv FILE`: how often the alarm would have fired on historical data, how long it
 * would have stayed in ALARM and how often it would have flapped; `--threshold` tries other thresholds
 * side by side before one is deployed.
 */
export const backtestCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('backtest')
      .description('Replay historical data (CSV) through an alarm: fires, time in ALARM, flapping')
      .argument('<alert>', 'alert id (e.g. HighAPIErrorRate) or alarm name')
      .requiredOption('--csv <file>', 'CSV with a header "timestamp,<metric id or name>,..."; ISO 8601 or epoch-second timestamps')
      .option('--env <name>', 'config environment whose alarm to replay', 'default')
      .option('--instance <name>', 'service or certificate, when the alert has several alarms')
      .option('--threshold <n>', 'also try this threshold, in the config unit (ratios as fractions, latency in seconds); repeatable', collect, [])
      .option('--flap-window <duration>', 'a return to ALARM within this long after it ended counts as a flap', '1h')
      .option('--json', 'print the results as JSON')
      .action((alert: string, options: BacktestCliOptions) => {
        ctx.exitCode = runBacktest(alert, options, ctx);
      });
  },
};

function runBacktest(alert: string, options: BacktestCliOptions, ctx: CliContext): number {
  const thresholds = options.threshold.map((text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new InputError(`--threshold must be a number, received "${text}"`);
    return n;
  });
  const flapWindowMs = parseDuration(options.flapWindow);
  const query: AlarmQuery = ALERT_IDS.includes(alert) ? { alert, instance: options.instance } : { alarm: alert };
  const deployed = findAlarm(resolveAlarmSet(options.env, ctx.environments), query);
  const data = loadCsv(options.csv);
  const run = (threshold?: number): BacktestResult => {
    const overrides = threshold === undefined ? undefined : { alerts: { [deployed.alertId]: { threshold } } };
    const spec = threshold === undefined ? deployed : findAlarm(resolveAlarmSet(options.env, ctx.environments, overrides), { alarm: deployed.alarmName });
    try {
      return backtest(spec, data.series, data, { flapWindowMs });
    } catch (error) {
      throw error instanceof InputError ? error.at(options.csv) : error;
    }
  };
  const results = [run(), ...thresholds.map(run)];
  if (options.json) {
    const iso = (ms: number): string => new Date(ms).toISOString();
    const json = results.map((r) => ({
      ...r,
      from: iso(r.from),
      to: iso(r.to),
      episodes: r.episodes.map((e) => ({ ...e, start: iso(e.start), end: iso(e.end) })),
    }));
    ctx.io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    ctx.io.out(`${formatBacktest(results, describeAlarm(deployed), `${options.csv} (${data.rows} rows)`)}\n`);
  }
  return EXIT.OK;
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, ...value.split(',')];
}
