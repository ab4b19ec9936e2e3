import type { CloudWatchClient, GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { evaluateMath, metricIds, parseExpression } from '../../lib/core/evaluator';

/**
 * moto 5.2's GetMetricData computes MetricStat queries but no metric math: an expression query returns the
 * series of the query it names if it is a bare id, else nothing. Alarms like HighAPIErrorRate
 * (`IF(requests > 0, errors / requests, 0)`) then have no datapoints in the drill's world, so this stand-in
 * answers the expression queries of a GetMetricData the way CloudWatch would: moto computes the MetricStat
 * queries (statistics per period), and the expressions are evaluated over them with the evaluator the backtests
 * use (lib/core/evaluator: CloudWatch's rules for missing datapoints, IF, FILL...). Calls without an expression go to
 * moto untouched. Not emulated: functions the evaluator lacks (ANOMALY_DETECTION_BAND, METRICS()...), which
 * fail the call as CloudWatch fails an invalid expression, and pagination (one page holds every result).
 */

const wrapped = new WeakSet<CloudWatchClient>();

/** Makes `cloudwatch` evaluate the metric math of its GetMetricData calls. Idempotent per client. */
export function withMetricMath(cloudwatch: CloudWatchClient): CloudWatchClient {
  if (wrapped.has(cloudwatch)) return cloudwatch;
  wrapped.add(cloudwatch);
  cloudwatch.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as GetMetricDataCommandInput;
      const queries = input.MetricDataQueries ?? [];
      if ((context as { commandName?: string }).commandName !== 'GetMetricDataCommand' || !queries.some((q) => q.Expression !== undefined)) return next(args);
      const stats = queries.filter((q) => q.MetricStat !== undefined);
      // Every statistic is needed by some expression: moto returns them all, oldest first, on one grid.
      const computed =
        stats.length === 0
          ? []
          : ((
              (
                await next({
                  ...args,
                  input: { ...input, MetricDataQueries: stats.map((q) => ({ ...q, ReturnData: true })), ScanBy: 'TimestampAscending', NextToken: undefined },
                })
              ).output as GetMetricDataCommandOutput
            ).MetricDataResults ?? []);
      const results = evaluateQueries(queries, computed, input);
      const returned = queries.filter((q) => q.ReturnData !== false).map((q) => results.get(q.Id!)!);
      const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
      const output: GetMetricDataCommandOutput = { MetricDataResults: descending ? returned.map(reversed) : returned, Messages: [], $metadata: {} };
      return { output, response: {} } as never;
    },
    { step: 'initialize', name: 'drillMetricMath' },
  );
  return cloudwatch;
}

/**
 * The result of every query, by id: the MetricStat ones as moto computed them, the expressions evaluated on
 * moto's period grid (from StartTime, whole seconds, one slot per period up to EndTime), in dependency order.
 */
function evaluateQueries(
  queries: readonly MetricDataQuery[],
  computed: readonly MetricDataResult[],
  input: GetMetricDataCommandInput,
): Map<string, MetricDataResult> {
  const periodSeconds =
    queries.find((q) => q.Period !== undefined)?.Period ?? queries.find((q) => q.MetricStat?.Period !== undefined)?.MetricStat?.Period ?? 60;
  const first = Math.floor(new Date(input.StartTime!).getTime() / 1000) * 1000;
  const end = Math.floor(new Date(input.EndTime!).getTime() / 1000) * 1000;
  const slots: number[] = [];
  for (let t = first; t <= end; t += periodSeconds * 1000) slots.push(t);

  const results = new Map<string, MetricDataResult>();
  const series = new Map<string, Float64Array>();
  for (const query of queries.filter((q) => q.MetricStat !== undefined)) {
    const result = computed.find((r) => r.Id === query.Id) ?? { Id: query.Id, Timestamps: [], Values: [] };
    results.set(query.Id!, { ...result, Label: query.Label ?? result.Label, StatusCode: 'Complete' });
    const values = new Float64Array(slots.length).fill(Number.NaN);
    (result.Timestamps ?? []).forEach((at, i) => {
      const slot = slots.indexOf(new Date(at).getTime());
      if (slot >= 0) values[slot] = result.Values![i]!;
    });
    series.set(query.Id!, values);
  }
  let pending = queries.filter((q) => q.Expression !== undefined).map((q) => ({ query: q, expr: parseExpression(q.Expression!) }));
  while (pending.length > 0) {
    const ready = pending.filter(({ expr }) => metricIds(expr).every((id) => series.has(id) || !queries.some((q) => q.Id === id)));
    if (ready.length === 0) throw Object.assign(new Error(`circular metric math: ${pending.map((p) => p.query.Id).join(', ')}`), { name: 'ValidationError' });
    for (const { query, expr } of ready) {
      const values = evaluateMath(expr, series, slots.length);
      series.set(query.Id!, values);
      const kept = slots.flatMap((at, i) => (Number.isFinite(values[i]) ? [{ at, value: values[i]! }] : []));
      results.set(query.Id!, {
        Id: query.Id,
        Label: query.Label ?? query.Id,
        Timestamps: kept.map((p) => new Date(p.at)),
        Values: kept.map((p) => p.value),
        StatusCode: 'Complete',
      });
    }
    pending = pending.filter((p) => !ready.includes(p));
  }
  return results;
}

function reversed(result: MetricDataResult): MetricDataResult {
  return { ...result, Timestamps: [...(result.Timestamps ?? [])].reverse(), Values: [...(result.Values ?? [])].reverse() };
}
