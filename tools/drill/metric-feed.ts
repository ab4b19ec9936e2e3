import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ResolvedMetric } from '../../lib/core/alarms/metric-sources';

const MINUTE = 60_000;
const BATCH = 50;

/** A metric fed one datapoint per minute: its value in the minute starting at `minuteStart`, or none. */
export interface MinuteFeed {
  readonly metric: Pick<ResolvedMetric, 'namespace' | 'metricName' | 'dimensions'>;
  value(minuteStart: number): number | undefined;
}

/**
 * Writes the minutes from `from` that CloudWatch would hold at `now`: a minute's datapoint (timestamped at the
 * minute's start, as ALB and RDS publish them) exists only once the minute has ended and `lagMs` more has passed.
 * Real CloudWatch never holds the current minute; feeding it would make the drill kinder than production.
 * @returns the number of datapoints written
 */
export async function feedMinutes(cloudwatch: CloudWatchClient, feeds: readonly MinuteFeed[], from: number, now: number, lagMs: number): Promise<number> {
  let written = 0;
  for (const { metric, value } of feeds) {
    const data = [];
    for (let m = Math.floor(from / MINUTE) * MINUTE; m + MINUTE + lagMs <= now; m += MINUTE) {
      const v = value(m);
      if (v !== undefined)
        data.push({
          MetricName: metric.metricName,
          Timestamp: new Date(m),
          Value: v,
          Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        });
    }
    // CloudWatch takes 1000 datapoints per call, but the SDK gzips request bodies over 10 KiB and moto 5.2.1 fails
    // to read them (HTTP 500, BadGzipFile): batches of 50 stay under that size.
    for (let i = 0; i < data.length; i += BATCH)
      await cloudwatch.send(new PutMetricDataCommand({ Namespace: metric.namespace, MetricData: data.slice(i, i + BATCH) }));
    written += data.length;
  }
  return written;
}
