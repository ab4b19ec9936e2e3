/**
 * The CloudWatch alarm evaluator: replays time series through the alarms the stack deploys (same catalog,
 * same config) and yields their state transitions. No AWS and no CDK imports: the CLI (`oncall test-alerts`,
 * `oncall backtest`) and the tests use it offline.
 */
export { aggregate, parseStatistic, type MetricSamples, type StepGrid, type Statistic } from './aggregate';
export { evaluateAlarm, periodOf, stepOf } from './alarm';
export { closeMatches, findAlarm, resolveAlarmSet, type AlarmQuery, type AlarmSet, type Environments } from './alarm-set';
export { backtest, formatBacktest, type AlarmEpisode, type BacktestOptions, type BacktestResult } from './backtest';
export { classify, describeCondition, type Band } from './comparison';
export { evaluateComposite, parseRule, type CompositeTimeline, type Rule } from './composite';
export { loadCsv, parseCsv, type CsvSeries } from './csv';
export { describeAlarm } from './describe';
export { formatDuration, parseDuration } from './duration';
export { ExpressionError, InputError, SeriesSyntaxError, UnknownAlarmError } from './errors';
export {
  compileAlarm,
  evaluateMetricAlarm,
  evaluationStep,
  formatValue,
  type AlarmInput,
  type CompiledAlarm,
  type EvaluateOptions,
  type EvaluationWindow,
  type MetricAlarmTimeline,
} from './evaluate';
export { metricIds, parseExpression, type Expr } from './expression';
export { bindSeries, describeSeriesKeys, resolveSeriesKey, type SeriesTarget } from './inputs';
export { evaluateMath } from './metric-math';
export { decide, defaultEvaluationRange, type Decision, type EvaluationRule } from './missing-data';
export { formatFileResult, totals, transitionLines, type TestTotals } from './report';
export { parseSeries } from './series';
export { ALARM_STATES, type AlarmState, type Timeline, type Transition } from './state';
export { loadTestFile, parseTestFile, type AlertTestCase, type Expectation, type TestFile } from './test-file';
export { runTestFile, type CaseResult, type ExpectationResult, type FileResult, type RunOptions } from './test-runner';
