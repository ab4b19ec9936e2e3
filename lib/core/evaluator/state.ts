/** The three states of a CloudWatch alarm. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** One state change of an alarm. */
export interface Transition {
  /** Epoch ms of the evaluation that changed the state. */
  readonly at: number;
  readonly from: AlarmState;
  readonly to: AlarmState;
  /** Why, in CloudWatch's words where possible: "5 of the last 5 datapoints breaching (> 0.05) ...". */
  readonly reason: string;
}

/** What an evaluation produces: every state change, and the state at any instant. */
export interface Timeline {
  readonly alarmName: string;
  /** Epoch ms where evaluation starts. The alarm is in `initialState` until the first evaluation. */
  readonly start: number;
  /** Time between evaluations: one minute, or the period for periods under a minute. */
  readonly stepMs: number;
  /** Number of evaluations; the k-th (0-based) runs at `start + (k + 1) * stepMs`. */
  readonly evaluations: number;
  readonly initialState: AlarmState;
  readonly transitions: readonly Transition[];
  /** The state after the last evaluation at or before `t` (epoch ms). */
  stateAt(t: number): AlarmState;
}

/** Index of the last evaluation at or before `t`, or -1 before the first. */
export function evaluationIndex(timeline: Pick<Timeline, 'start' | 'stepMs' | 'evaluations'>, t: number): number {
  const k = Math.floor((t - timeline.start) / timeline.stepMs) - 1;
  return Math.min(k, timeline.evaluations - 1);
}
