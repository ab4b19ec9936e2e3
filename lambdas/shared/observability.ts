import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The logging the responders need; Powertools Logger in Lambda, a recorder in tests. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Counts of automatic actions by outcome, emitted as CloudWatch EMF metrics in Lambda. */
export interface ActionMetrics {
  count(name: 'ActionsTaken' | 'ActionsSkipped' | 'ActionsFailed' | 'ActionsDryRun' | 'NotificationsRejected', dimension: string): void;
}

/** Metric namespace of the responders' EMF metrics (the dashboard and the self-monitoring alarms read it). */
export function automationNamespace(prefix: string): string {
  return `RunbookAlerting/${prefix}`;
}

/** Powertools Logger and Metrics, structured JSON and EMF, for the Lambda runtime. */
export function powertools(serviceName: string, namespace: string): { logger: Log; metrics: ActionMetrics; flush: () => void } {
  const powertoolsLogger = new Logger({ serviceName });
  const logger: Log = {
    info: (message, extra) => powertoolsLogger.info(message, (extra ?? {}) as LogAttributes),
    warn: (message, extra) => powertoolsLogger.warn(message, (extra ?? {}) as LogAttributes),
    error: (message, extra) => powertoolsLogger.error(message, (extra ?? {}) as LogAttributes),
  };
  const metrics = new Metrics({ serviceName, namespace });
  return {
    logger,
    metrics: {
      count(name, dimension) {
        const single = metrics.singleMetric();
        single.addDimension(name === 'NotificationsRejected' ? 'Reason' : 'Mitigation', dimension);
        single.addMetric(name, MetricUnit.Count, 1);
      },
    },
    flush: () => metrics.publishStoredMetrics(),
  };
}
