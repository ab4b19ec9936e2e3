/**
 * The peer of the synth benchmark: the same alarms as ours (every spec of `resolveAlarms(config)`), built with
 * cdk-monitoring-constructs, in stacks sharded with our own `planStacks` and notifying the same topics. Loaded only
 * by tools/bench/synth-worker.ts (cdk-monitoring-constructs is a dev dependency used by the benchmark alone).
 *
 * How each of our alarm kinds maps to the peer:
 * - metric: `monitorCustom` with a `CustomMetricWithAlarm` on the same `Metric` (namespace, name, dimensions,
 *   statistic, period).
 * - math: the same, on a `MathExpression` whose `usingMetrics` keep our query ids and expression. CDK names the
 *   expression's own id `expr_1` where ours says `expr`.
 * - anomaly: `monitorCustom` with a `CustomMetricWithAnomalyDetection` (its `AnomalyDetectionMathExpression`):
 *   the band's standard deviations are our threshold, above/below from our comparison.
 * - composite (PartialRegionOutage): the children through its `AlarmFactory.addAlarm`, the composite through its
 *   `addCompositeAlarm`, whose rule is limited to AND/OR of the children; the one-region-down rule
 *   `(A OR B) AND NOT (A AND B)` needs `determineCompositeAlarmRule` overridden (a protected hook it offers).
 * - log metric filters: the peer has none (its LogMonitoring watches IncomingLogEvents), so they are added with
 *   aws-cdk-lib's `logs.MetricFilter`, as a user of the peer would.
 * - actions: `SnsAlarmActionStrategy` (ALARM and OK) to the severity topic, plus the on-call topic for the
 *   self-monitoring alarms (`MultipleAlarmActionStrategy`); composite children have none (`noopAction`).
 * - names, descriptions, tags: `alarmNameOverride`, `alarmDescriptionOverride` and the same tags on the L1.
 * - dashboards: off (`DefaultDashboardFactory` with all three dashboards disabled); ours has none either.
 */
import { Duration, Stack, Tags, type App, type Environment } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AlarmFactory,
  DefaultDashboardFactory,
  MonitoringFacade,
  MultipleAlarmActionStrategy,
  SnsAlarmActionStrategy,
  noopAction,
  type AddCompositeAlarmProps,
  type AlarmWithAnnotation,
  type CustomMetric,
  type IAlarmActionStrategy,
} from 'cdk-monitoring-constructs';
import type { Construct } from 'constructs';
import { dimensionValue } from '../../lib/infra/alarm-factory';
import type { AlarmSpec, CompositeAlarmSpec, MetricAlarmSpec } from '../../lib/core/alarms/alarm-spec';
import type { AlarmStackPlan, StackPlan } from '../../lib/infra/stack-plan';
import type { Role, Severity } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { AlertTopics } from '../../lib/infra/constructs/alert-topics';
import { roleTopicName, severityTopicName } from '../../lib/core/topic-names';

/** Where an alarm's actions go: a topic per severity and per role, in the stack at hand. */
interface TopicsIn {
  severity(severity: Severity): sns.ITopic;
  role(role: Role): sns.ITopic;
}

/** The peer's AlarmFactory, with the one hook our composite rule needs: "some but not all children in ALARM". */
class SomeButNotAllAlarmFactory extends AlarmFactory {
  protected override determineCompositeAlarmRule(alarms: AlarmWithAnnotation[], _props: AddCompositeAlarmProps): cloudwatch.IAlarmRule {
    const any = cloudwatch.AlarmRule.anyOf(...alarms.map((a) => a.alarmRuleWhenAlarming));
    const all = cloudwatch.AlarmRule.allOf(...alarms.map((a) => a.alarmRuleWhenAlarming));
    return cloudwatch.AlarmRule.allOf(any, cloudwatch.AlarmRule.not(all));
  }
}

function tagsOf(spec: AlarmSpec): cloudwatch.CfnAlarm['tags'] {
  const tags = [
    { key: 'AlertId', value: spec.alertId },
    { key: 'Severity', value: spec.severity },
    { key: 'Category', value: spec.category },
  ];
  if (spec.service !== undefined) tags.push({ key: 'Service', value: spec.service });
  return tags;
}

function metricOf(q: MetricAlarmSpec['metrics'][number], period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: q.metric.namespace,
    metricName: q.metric.metricName,
    dimensionsMap: Object.fromEntries(Object.entries(q.metric.dimensions).map(([name, value]) => [name, dimensionValue(value)])),
    statistic: q.metric.statistic,
    period,
  });
}

/** The metric or expression the alarm watches, exactly as our spec says. */
function watched(spec: MetricAlarmSpec): cloudwatch.Metric | cloudwatch.MathExpression {
  const period = Duration.seconds(spec.periodSeconds);
  if (spec.kind === 'metric') return metricOf(spec.metrics[0]!, period);
  const usingMetrics = Object.fromEntries(spec.metrics.map((q) => [q.id, metricOf(q, period)]));
  return new cloudwatch.MathExpression({ expression: spec.expression!, usingMetrics, label: spec.label, period });
}

const COMPARISON: Record<string, cloudwatch.ComparisonOperator> = Object.fromEntries(Object.values(cloudwatch.ComparisonOperator).map((c) => [c, c]));
const MISSING: Record<string, cloudwatch.TreatMissingData> = Object.fromEntries(Object.values(cloudwatch.TreatMissingData).map((t) => [t, t]));

class PeerAlarms {
  private readonly facade: MonitoringFacade;
  private readonly factory: SomeButNotAllAlarmFactory;

  public constructor(
    scope: Construct,
    config: Config,
    private readonly topics: TopicsIn,
  ) {
    this.facade = new MonitoringFacade(scope, 'Monitoring', {
      alarmFactoryDefaults: { alarmNamePrefix: config.prefix, actionsEnabled: true },
      metricFactoryDefaults: {},
      dashboardFactory: new DefaultDashboardFactory(scope, 'Dashboards', {
        dashboardNamePrefix: config.prefix,
        createDashboard: false,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    this.factory = new SomeButNotAllAlarmFactory(this.facade, {
      globalAlarmDefaults: { alarmNamePrefix: config.prefix, actionsEnabled: true },
      globalMetricDefaults: {},
      localAlarmNamePrefix: 'Composite',
    });
  }

  private action(spec: AlarmSpec): IAlarmActionStrategy {
    if (!spec.notifies) return noopAction();
    const topics = [this.topics.severity(spec.severity), ...spec.alsoNotifies.map((role) => this.topics.role(role))];
    const strategies = topics.map((topic) => new SnsAlarmActionStrategy({ onAlarmTopic: topic, onOkTopic: topic }));
    return strategies.length === 1 ? strategies[0]! : new MultipleAlarmActionStrategy(strategies);
  }

  private threshold(spec: MetricAlarmSpec) {
    return {
      alarmNameOverride: spec.alarmName,
      alarmDescriptionOverride: spec.description,
      actionOverride: this.action(spec),
      actionsEnabled: spec.notifies,
      treatMissingDataOverride: MISSING[spec.treatMissingData]!,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      period: Duration.seconds(spec.periodSeconds),
    };
  }

  /** The peer's custom monitoring entry for one metric alarm. */
  private customMetric(spec: MetricAlarmSpec): CustomMetric {
    const metric = watched(spec);
    if (spec.kind === 'anomaly') {
      const above = spec.comparison === 'GreaterThanUpperThreshold' || spec.comparison === 'LessThanLowerOrGreaterThanUpperThreshold';
      const below = spec.comparison === 'LessThanLowerThreshold' || spec.comparison === 'LessThanLowerOrGreaterThanUpperThreshold';
      return {
        metric,
        alarmFriendlyName: spec.alarmName,
        anomalyDetectionStandardDeviationToRender: spec.threshold,
        addAlarmOnAnomaly: {
          [spec.severity]: { ...this.threshold(spec), standardDeviationForAlarm: spec.threshold, alarmWhenAboveTheBand: above, alarmWhenBelowTheBand: below },
        },
      };
    }
    return {
      metric,
      alarmFriendlyName: spec.alarmName,
      addAlarm: { [spec.severity]: { ...this.threshold(spec), threshold: spec.threshold, comparisonOperator: COMPARISON[spec.comparison]! } },
    };
  }

  private logFilters(spec: MetricAlarmSpec): logs.MetricFilter[] {
    const scope = this.facade;
    return spec.logFilters.map((f) => {
      const id = `LogGroup${f.logGroupName.replace(/[^A-Za-z0-9]/g, '')}`;
      const logGroup = (scope.node.tryFindChild(id) as logs.ILogGroup | undefined) ?? logs.LogGroup.fromLogGroupName(scope, id, f.logGroupName);
      return new logs.MetricFilter(scope, f.filterName, {
        logGroup,
        filterName: f.filterName,
        filterPattern: logs.FilterPattern.literal(f.pattern),
        metricNamespace: f.metricNamespace,
        metricName: f.metricName,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      });
    });
  }

  /** Adds one of our specs; returns nothing, the count is checked on the written templates. */
  public add(spec: AlarmSpec): void {
    if (spec.kind === 'composite') return this.composite(spec);
    const filters = this.logFilters(spec);
    this.facade.monitorCustom({
      alarmFriendlyName: spec.alarmName,
      humanReadableName: spec.alarmName,
      metricGroups: [{ title: spec.alertId, metrics: [this.customMetric(spec)] }],
      // The peer's hook for what a monitoring created: tags (ours are set on the L1 too) and the filters' order.
      useCreatedAlarms: {
        consume: (created: AlarmWithAnnotation[]) => {
          for (const alarm of created) {
            (alarm.alarm.node.defaultChild as cloudwatch.CfnAlarm).tags = tagsOf(spec);
            filters.forEach((filter) => alarm.alarm.node.addDependency(filter));
          }
        },
      },
    });
  }

  private composite(spec: CompositeAlarmSpec): void {
    const any = spec.children.map((c) => `ALARM("${c.alarmName}")`);
    if (spec.rule !== `(${any.join(' OR ')}) AND NOT (${any.join(' AND ')})`)
      throw new Error(`${spec.alarmName}: composite rule not reproducible with the peer: ${spec.rule}`);
    const children = spec.children.map((child) => {
      const metric = watched(child);
      const created = this.factory.addAlarm(metric, {
        ...this.threshold(child),
        alarmNameSuffix: child.alarmName,
        alarmDescription: child.description,
        disambiguator: child.severity,
        threshold: child.threshold,
        comparisonOperator: COMPARISON[child.comparison]!,
        treatMissingData: MISSING[child.treatMissingData]!,
      });
      (created.alarm.node.defaultChild as cloudwatch.CfnAlarm).tags = tagsOf(child);
      return created;
    });
    const composite = this.factory.addCompositeAlarm(children, {
      alarmNameOverride: spec.alarmName,
      alarmDescriptionOverride: spec.description,
      disambiguator: spec.severity,
      actionOverride: this.action(spec),
      actionsEnabled: true,
    });
    (composite.node.defaultChild as cloudwatch.CfnCompositeAlarm).tags = tagsOf(spec);
  }
}

/** Builds the peer's app: a core stack with our topics and the environment-wide alarms, then the alarm stacks. */
export function buildPeerApp(app: App, config: Config, plan: StackPlan): Stack[] {
  const env: Environment = { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region };
  const core = new Stack(app, `${config.prefix}-alerting`, {
    env,
    description: `Runbook alerting (${config.prefix}): topics and environment-wide alarms (peer)`,
  });
  const topics = new AlertTopics(core, 'Topics', { config });
  const coreAlarms = new PeerAlarms(core, config, { severity: (s) => topics.severityTopics[s], role: (r) => topics.roleTopics[r] });
  plan.core.forEach((spec) => coreAlarms.add(spec));

  const shards = plan.alarmStacks.map((shard: AlarmStackPlan) => {
    const stack = new Stack(app, `${config.prefix}-alarms-${shard.index}`, {
      env,
      description: `Runbook alerting (${config.prefix}): alarms of ${shard.services.join(', ')}`.slice(0, 1024),
    });
    const imported = new Map<string, sns.ITopic>();
    const byName = (name: string) => {
      let topic = imported.get(name);
      if (!topic)
        imported.set(
          name,
          (topic = sns.Topic.fromTopicArn(stack, `Topic${name.replace(/[^A-Za-z0-9]/g, '')}`, stack.formatArn({ service: 'sns', resource: name }))),
        );
      return topic;
    };
    const alarms = new PeerAlarms(stack, config, {
      severity: (s) => byName(severityTopicName(config.prefix, s)),
      role: (r) => byName(roleTopicName(config.prefix, r)),
    });
    shard.alarms.forEach((spec) => alarms.add(spec));
    stack.addStackDependency(core, 'alarms notify the core stack topics');
    return stack;
  });

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  Tags.of(app).add('AlertingPrefix', config.prefix);
  return [core, ...shards];
}
