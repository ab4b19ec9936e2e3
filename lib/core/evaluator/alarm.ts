import type { AlarmSpec } from '../alarms/alarm-spec';
import { evaluateComposite } from './composite';
import { evaluateMetricAlarm, evaluationStep, type AlarmInput, type EvaluateOptions, type EvaluationWindow } from './evaluate';
import type { Timeline } from './state';

/**
 * Evaluates any resolved alarm: a metric alarm on its own input, a composite on its children's.
 * @param inputs by alarm name (see inputs.ts `bindSeries`); an alarm without an entry has no data
 */
export function evaluateAlarm(spec: AlarmSpec, inputs: Readonly<Record<string, AlarmInput>>, options: EvaluateOptions): Timeline {
  return spec.kind === 'composite' ? evaluateComposite(spec, inputs, options) : evaluateMetricAlarm(spec, inputs[spec.alarmName] ?? { metrics: {} }, options);
}

/** Period of the alarm in ms, or of a composite's children (the shortest, if they differ). */
export function periodOf(spec: AlarmSpec): number {
  return spec.kind === 'composite' ? Math.min(...spec.children.map((c) => c.periodSeconds)) * 1000 : spec.periodSeconds * 1000;
}

/** Time between evaluations of the alarm (of a composite: of its most frequently evaluated child). */
export function stepOf(spec: AlarmSpec, window: EvaluationWindow = 'sliding'): number {
  return evaluationStep(periodOf(spec), window);
}
