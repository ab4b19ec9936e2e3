import type { AlarmEvidence } from './alarm-evidence';

/** The interval of data the decision tree judges "recent", and the hour before it that it compares against. */
export interface TreeWindow {
  /** Epoch ms, inclusive; a period boundary. */
  readonly from: number;
  /** Epoch ms, exclusive; a period boundary at or before the last data CloudWatch is expected to hold. */
  readonly to: number;
  /** Start of the baseline, which ends at `from`. */
  readonly baselineFrom: number;
  /** `alarm`: the datapoints the alarm itself evaluated; `complete-periods`: the latest periods allowed for lag. */
  readonly source: 'alarm' | 'complete-periods';
  /** Why this window, for the audit record. */
  readonly why: string;
}

/** The tree reads one-minute periods: the finest standard resolution, and the one ALB, RDS and our metrics use. */
export const READ_PERIOD_MS = 60_000;
/** The runbook's "for 5 minutes", when the notification does not say how long the alarm looks. */
const DEFAULT_WINDOW_MS = 5 * 60_000;
const MAX_WINDOW_MS = 60 * 60_000;
export const BASELINE_MS = 60 * 60_000;

/**
 * Chooses the window the tree reads. The current period is never read: CloudWatch holds only part of it.
 * 1. Where the notification lists the datapoints the alarm evaluated, the window is exactly those periods:
 *    data CloudWatch had, since the alarm judged it. Used unless it lies wholly before the latest complete
 *    periods (a notification delivered late: the world has moved on) or ends in the future (clock skew).
 * 2. Otherwise the alarm's evaluation length (Trigger Period x EvaluationPeriods; 5 minutes without it), ending at
 *    the last period boundary at least `lagMs` before now.
 */
export function treeWindow(now: number, lagMs: number, evidence: AlarmEvidence): TreeWindow {
  const trigger =
    evidence.periodSeconds !== undefined && evidence.evaluationPeriods !== undefined ? evidence.periodSeconds * evidence.evaluationPeriods * 1000 : undefined;
  const length = Math.min(MAX_WINDOW_MS, Math.max(READ_PERIOD_MS, ceilTo(trigger ?? DEFAULT_WINDOW_MS, READ_PERIOD_MS)));
  const to = floorTo(now - lagMs, READ_PERIOD_MS);
  const lagged = (why: string): TreeWindow => ({ from: to - length, to, baselineFrom: to - length - BASELINE_MS, source: 'complete-periods', why });
  const lagText = `the latest complete ${length / 60_000} min allowing ${lagMs / 1000} s of ingestion lag`;

  const points = evidence.evaluated ?? [];
  const periodMs = (evidence.periodSeconds ?? 0) * 1000;
  if (points.length === 0) return lagged(`${lagText} (the notification lists no evaluated datapoints)`);
  if (periodMs % READ_PERIOD_MS !== 0 || points.some((p) => p.at % READ_PERIOD_MS !== 0)) {
    return lagged(`${lagText} (the alarm's datapoints are not on whole minutes)`);
  }
  const from = points[0]!.at;
  const end = points[points.length - 1]!.at + periodMs;
  if (end > now) return lagged(`${lagText} (the alarm's datapoints end after now, ${new Date(end).toISOString()})`);
  if (end <= to - length) return lagged(`${lagText} (the alarm's datapoints end ${new Date(end).toISOString()}, before them)`);
  return { from, to: end, baselineFrom: from - BASELINE_MS, source: 'alarm', why: `the ${points.length} datapoints the alarm evaluated` };
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
