import type { ApiMetric, MetricRef } from '../catalog';
import { deadLetterQueueName, escalationFunctionName, escalationStateMachineName, responderFunctionName, verifyStateMachineName } from '../config/derived';
import type { ApiSource, Config, ServiceConfig } from '../config/schema';

/** A metric with everything CloudWatch needs to find it. */
export interface ResolvedMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
}

/** How one API front door names the logical API metrics. Several names are summed (e.g. target + ELB 5xx). */
interface ApiMetricNames {
  readonly namespace: string;
  readonly metrics: Readonly<Record<ApiMetric, readonly string[]>>;
  /** Multiply a threshold in seconds by this to compare with the latency metric (API Gateway reports ms). */
  readonly latencyScale: number;
}

function apiMetricNames(api: ApiSource, config: Config): ApiMetricNames {
  switch (api.kind) {
    case 'alb':
      return {
        namespace: 'AWS/ApplicationELB',
        // Targets that fail their health check make the ALB itself answer 502/503: count both kinds of 5xx.
        metrics: { requests: ['RequestCount'], serverErrors: ['HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count'], latency: ['TargetResponseTime'] },
        latencyScale: 1,
      };
    case 'apigateway':
      return { namespace: 'AWS/ApiGateway', metrics: { requests: ['Count'], serverErrors: ['5XXError'], latency: ['Latency'] }, latencyScale: 1000 };
    case 'custom':
      return {
        namespace: config.metrics.namespace,
        metrics: { requests: ['Requests'], serverErrors: ['ServerErrors'], latency: ['Latency'] },
        latencyScale: 1,
      };
  }
}

function apiDimensions(api: ApiSource, config: Config, service: ServiceConfig): Record<string, string> {
  switch (api.kind) {
    case 'alb':
      return { LoadBalancer: api.loadBalancer };
    case 'apigateway':
      return api.stage === undefined ? { ApiName: api.apiName } : { ApiName: api.apiName, Stage: api.stage };
    case 'custom':
      return { ...config.metrics.dimensions, Service: service.name };
  }
}

/** Where an alarm instance lives: the service, certificate or region it watches, if any. */
export interface MetricContext {
  readonly config: Config;
  readonly service?: ServiceConfig;
  readonly certificateArn?: string;
  readonly region?: string;
}

/**
 * Resolves a catalog metric to the metrics CloudWatch stores. Usually one; an API metric that sums several
 * vendor metrics resolves to several.
 */
export function resolveMetric(ref: MetricRef, ctx: MetricContext): ResolvedMetric[] {
  const { config } = ctx;
  const custom = (dimensions: Record<string, string>): ResolvedMetric[] => [
    { namespace: config.metrics.namespace, metricName: ref.name, dimensions, statistic: ref.statistic },
  ];
  switch (ref.source) {
    case 'ai':
      return custom({ ...config.metrics.dimensions });
    case 'region':
      return custom({ ...config.metrics.dimensions, Region: need(ctx.region, ref) });
    case 'api': {
      const service = need(ctx.service, ref);
      const names = apiMetricNames(service.api, config);
      const logical = ref.name as ApiMetric;
      const dimensions = apiDimensions(service.api, config, service);
      return names.metrics[logical].map((metricName) => ({ namespace: names.namespace, metricName, dimensions, statistic: ref.statistic }));
    }
    case 'ecs':
    case 'ecs-insights': {
      const { ecs } = need(ctx.service, ref);
      return [
        {
          namespace: ref.source === 'ecs' ? 'AWS/ECS' : 'ECS/ContainerInsights',
          metricName: ref.name,
          dimensions: { ClusterName: ecs.cluster, ServiceName: ecs.service },
          statistic: ref.statistic,
        },
      ];
    }
    case 'rds':
      return [
        {
          namespace: 'AWS/RDS',
          metricName: ref.name,
          dimensions: { DBInstanceIdentifier: need(ctx.service?.rds, ref).instanceId },
          statistic: ref.statistic,
        },
      ];
    case 'responder-function':
      return [{ namespace: 'AWS/Lambda', metricName: ref.name, dimensions: { FunctionName: responderFunctionName(config) }, statistic: ref.statistic }];
    case 'dead-letter-queue':
      return [{ namespace: 'AWS/SQS', metricName: ref.name, dimensions: { QueueName: deadLetterQueueName(config) }, statistic: ref.statistic }];
    case 'escalation-functions':
      return ['starter', 'pager'].map((name) => ({
        namespace: 'AWS/Lambda',
        metricName: ref.name,
        dimensions: { FunctionName: escalationFunctionName(config, name) },
        statistic: ref.statistic,
      }));
    case 'escalation-state-machines':
      // AWS/States names a state machine by its ARN only: partition and account are CloudFormation's to fill in
      // (the alarm factory substitutes `${AWS::...}`), so an environment-agnostic stack works too.
      return [escalationStateMachineName(config), verifyStateMachineName(config)].map((name) => ({
        namespace: 'AWS/States',
        metricName: ref.name,
        dimensions: { StateMachineArn: `arn:\${AWS::Partition}:states:${config.region}:${config.account ?? '${AWS::AccountId}'}:stateMachine:${name}` },
        statistic: ref.statistic,
      }));
    case 'acm':
      return [
        { namespace: 'AWS/CertificateManager', metricName: ref.name, dimensions: { CertificateArn: need(ctx.certificateArn, ref) }, statistic: ref.statistic },
      ];
  }
}

/** Factor between a threshold in seconds and the service's latency metric. */
export function latencyScale(ctx: MetricContext): number {
  return ctx.service ? apiMetricNames(ctx.service.api, ctx.config).latencyScale : 1;
}

function need<T>(value: T | undefined, ref: MetricRef): T {
  // Reaching this is a catalog bug (a metric used outside the scope that provides it), not a user error.
  if (value === undefined) throw new Error(`metric ${ref.source}:${ref.name} used outside the scope that defines it`);
  return value;
}
