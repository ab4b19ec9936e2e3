import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { AlarmSpec, MetricAlarmSpec } from '../../lib/core/alarms/alarm-spec';
import { resolveAlarms } from '../../lib/core/alarms/resolve';
import { SEVERITIES } from '../../lib/core/catalog';
import { roleTopicName, severityTopicName } from '../../lib/core/topic-names';
import { config } from '../support/config';
import { resourcesOfType, synth } from '../support/synth';

const cfg = config();
const specs = resolveAlarms(cfg);
const synthesized = synth(cfg);
const alarms = resourcesOfType(synthesized, 'AWS::CloudWatch::Alarm');
const composites = resourcesOfType(synthesized, 'AWS::CloudWatch::CompositeAlarm');
const topics = resourcesOfType(synthesized, 'AWS::SNS::Topic');

type Props = Record<string, unknown>;
function alarmNamed(name: string): Props {
  const found = [...alarms.values(), ...composites.values()].find((r) => r.Properties.AlarmName === name);
  assert.ok(found, `no alarm named ${name} in any template`);
  return found.Properties;
}

/** The topic an alarm action points at: a Ref to a topic of the core stack, or an ARN built from a fixed topic name. */
function topicNameOf(action: unknown): string {
  const ref = (action as { Ref?: string }).Ref;
  if (ref !== undefined) {
    const topic = [...topics.entries()].find(([id]) => id.endsWith(`/${ref}`));
    assert.ok(topic, `action refers to unknown resource ${ref}`);
    return topic[1].Properties.TopicName as string;
  }
  const parts = (action as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const tail = parts.filter((p): p is string => typeof p === 'string').join('');
  return tail.slice(tail.lastIndexOf(':') + 1);
}

function metricSpecs(all: readonly AlarmSpec[]): MetricAlarmSpec[] {
  return all.flatMap((s) => (s.kind === 'composite' ? [...s.children] : [s]));
}

describe('alarms of the default environment', () => {
  it('creates at least 35 alarms spanning P1 to P4', () => {
    // THEN
    assert.ok(alarms.size + composites.size >= 35, `only ${alarms.size + composites.size} alarms`);
    for (const severity of SEVERITIES)
      assert.ok(
        specs.some((s) => s.severity === severity),
        `no ${severity} alarm`,
      );
  });

  for (const spec of metricSpecs(specs)) {
    it(`${spec.alarmName}: evaluation settings match the catalog`, () => {
      // WHEN
      const props = alarmNamed(spec.alarmName);
      // THEN
      assert.equal(props.ComparisonOperator, spec.comparison);
      assert.equal(props.EvaluationPeriods, spec.evaluationPeriods);
      assert.equal(props.DatapointsToAlarm, spec.datapointsToAlarm);
      assert.equal(props.TreatMissingData, spec.treatMissingData);
      if (spec.kind === 'anomaly') {
        const band = (props.Metrics as Props[]).find((m) => m.Id === props.ThresholdMetricId);
        assert.equal(band?.Expression, `ANOMALY_DETECTION_BAND(expr, ${spec.threshold})`);
        assert.equal(props.Threshold, undefined);
      } else {
        assert.equal(props.Threshold, spec.threshold);
      }
      const periods =
        spec.kind === 'metric' ? [props.Period] : (props.Metrics as Props[]).filter((m) => m.MetricStat).map((m) => (m.MetricStat as Props).Period);
      assert.ok(periods.length > 0 && periods.every((p) => p === spec.periodSeconds), `periods ${JSON.stringify(periods)}`);
    });
  }

  for (const spec of specs) {
    it(`${spec.alarmName}: ALARM and OK actions notify the ${spec.severity} topic`, () => {
      const props = alarmNamed(spec.alarmName);
      // Self-monitoring alarms also page on-call directly, around the escalation they watch.
      const expected = [
        severityTopicName(cfg.prefix, spec.severity),
        ...(spec.category === 'self-monitoring' ? [roleTopicName(cfg.prefix, 'on-call-primary')] : []),
      ];
      assert.deepEqual((props.AlarmActions as unknown[]).map(topicNameOf), expected);
      assert.deepEqual((props.OKActions as unknown[]).map(topicNameOf), expected);
      assert.match(props.AlarmDescription as string, new RegExp(`Runbook: ${cfg.runbookBaseUrl}/${spec.alertId}\\.md`));
    });
  }

  it('composite children carry no actions of their own', () => {
    const children = specs.flatMap((s) => (s.kind === 'composite' ? s.children : []));
    assert.ok(children.length >= 2);
    for (const child of children) {
      const props = alarmNamed(child.alarmName);
      assert.equal(props.ActionsEnabled, false);
      assert.equal(props.AlarmActions, undefined);
    }
  });
});

describe('metric math of the runbook alerts', () => {
  const expressionOf = (name: string) => {
    const props = alarmNamed(name);
    const metrics = props.Metrics as Props[];
    const returned = metrics.find((m) => m.ReturnData === true);
    const stat = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat as { Metric: Props; Stat: string; Period: number };
    return { expression: returned?.Expression as string, stat };
  };

  it('HighAPIErrorRate divides ALB 5xx (target + ELB) by requests', () => {
    const { expression, stat } = expressionOf('chatbot-HighAPIErrorRate-chatbot-api');
    assert.equal(expression, 'IF(requests > 0, (FILL(errors1, 0) + FILL(errors2, 0)) / requests, 0)');
    assert.equal(stat('requests').Metric.MetricName, 'RequestCount');
    assert.equal(stat('errors1').Metric.MetricName, 'HTTPCode_Target_5XX_Count');
    assert.equal(stat('errors2').Metric.MetricName, 'HTTPCode_ELB_5XX_Count');
    assert.equal(stat('errors1').Stat, 'Sum');
  });

  it('ModelAccuracyDrop compares current accuracy with its baseline', () => {
    const { expression, stat } = expressionOf('chatbot-ModelAccuracyDrop');
    assert.equal(expression, 'current / baseline');
    assert.equal(stat('current').Metric.MetricName, 'ModelAccuracy');
    assert.equal(stat('baseline').Metric.MetricName, 'ModelAccuracyBaseline');
    assert.equal(alarmNamed('chatbot-ModelAccuracyDrop').Threshold, 0.8);
    assert.equal(alarmNamed('chatbot-ModelAccuracyDegraded').Threshold, 0.9);
  });

  it('CostSpike compares the hourly cost with the 7-day hourly average', () => {
    const { expression, stat } = expressionOf('chatbot-CostSpike');
    assert.equal(expression, 'IF(baseline > 0, hourly / baseline, 0)');
    assert.equal(stat('hourly').Metric.MetricName, 'CostUSD');
    assert.equal(stat('hourly').Stat, 'Sum');
    assert.equal(stat('baseline').Metric.MetricName, 'CostUSDHourlyAverage7d');
    assert.equal(alarmNamed('chatbot-CostSpike').Threshold, 2);
    assert.equal(stat('hourly').Period, 3600);
  });

  it('latency alerts are multiples of the SLA on the ALB p95', () => {
    const high = alarmNamed('chatbot-HighAPILatency-chatbot-api');
    assert.equal(high.MetricName, 'TargetResponseTime');
    assert.equal(high.ExtendedStatistic, 'p95');
    assert.equal(high.Threshold, 2 * cfg.slaSeconds);
    assert.equal(alarmNamed('chatbot-CriticalAPILatency-chatbot-api').Threshold, 5 * cfg.slaSeconds);
    assert.equal(alarmNamed('chatbot-ElevatedAPILatency-chatbot-api').Threshold, 1.5 * cfg.slaSeconds);
  });

  it('DataPipelineStalled counts silence as zero records over the schedule plus the allowed delay (daily + 6 hours)', () => {
    const props = alarmNamed('chatbot-DataPipelineStalled');
    const { expression, stat } = expressionOf('chatbot-DataPipelineStalled');
    assert.equal(expression, 'FILL(records, 0)');
    assert.equal(props.TreatMissingData, 'breaching');
    assert.equal(stat('records').Period * (props.EvaluationPeriods as number), 30 * 3600);
    assert.equal(props.DatapointsToAlarm, props.EvaluationPeriods);
  });

  it('PartialRegionOutage fires when some but not all regions are down', () => {
    const props = alarmNamed('chatbot-PartialRegionOutage');
    assert.equal(
      props.AlarmRule,
      '(ALARM("chatbot-PartialRegionOutage-us-east-1") OR ALARM("chatbot-PartialRegionOutage-us-west-2")) AND NOT (ALARM("chatbot-PartialRegionOutage-us-east-1") AND ALARM("chatbot-PartialRegionOutage-us-west-2"))',
    );
  });
});

describe('log-based alerts', () => {
  const filters = resourcesOfType(synthesized, 'AWS::Logs::MetricFilter');
  const filterFor = (name: string) => [...filters.values()].find((f) => f.Properties.FilterName === name)?.Properties;

  it('DataLeakDetected counts PII and secret patterns in the model output log', () => {
    for (const key of ['pii', 'secrets']) {
      const props = filterFor(`chatbot-DataLeakDetected-${key}`);
      assert.ok(props, `filter ${key}`);
      assert.equal(props.LogGroupName, cfg.logGroups.modelOutput);
      assert.match(props.FilterPattern as string, /^%.*%$/);
      assert.deepEqual((props.MetricTransformations as Props[])[0], {
        MetricNamespace: 'ChatbotAI/chatbot',
        MetricName: 'DataLeakMatches',
        MetricValue: '1',
        Unit: 'Count',
      });
    }
    const alarm = alarmNamed('chatbot-DataLeakDetected');
    assert.equal(alarm.MetricName, 'DataLeakMatches');
    assert.equal(alarm.Namespace, 'ChatbotAI/chatbot');
  });

  it('UnusualAccessPattern filters on the configured allowed countries', () => {
    assert.equal(filterFor('chatbot-UnusualAccessPattern-geo')?.FilterPattern, '{ ($.country != "US") && ($.country != "CA") }');
  });
});

describe('per-environment overrides', () => {
  it('a threshold, duration and severity override reach the template', () => {
    // GIVEN
    const overridden = synth(config({ alerts: { HighAPIErrorRate: { threshold: 0.1, durationMinutes: 10, severity: 'P2' }, UsageDrop: { enabled: false } } }));
    // WHEN
    const all = resourcesOfType(overridden, 'AWS::CloudWatch::Alarm');
    const alarm = [...all.values()].find((r) => r.Properties.AlarmName === 'chatbot-HighAPIErrorRate-chatbot-api')!.Properties;
    // THEN
    assert.equal(alarm.Threshold, 0.1);
    assert.equal(alarm.EvaluationPeriods, 10);
    assert.equal(alarm.DatapointsToAlarm, 10);
    assert.deepEqual((alarm.AlarmActions as unknown[]).map(topicNameOf), ['chatbot-alerts-P2']);
    assert.ok(![...all.values()].some((r) => (r.Properties.AlarmName as string).startsWith('chatbot-UsageDrop')));
  });

  it('an SLA change moves every latency threshold', () => {
    const slow = resolveAlarms(config({ slaSeconds: 3 }));
    const high = slow.find((s) => s.alarmName === 'chatbot-HighAPILatency-chatbot-api') as MetricAlarmSpec;
    assert.equal(high.threshold, 6);
  });

  it('API Gateway latency thresholds are converted to milliseconds', () => {
    const gw = resolveAlarms(config({ services: [{ name: 'gw', ecs: { cluster: 'c', service: 's' }, api: { kind: 'apigateway', apiName: 'chatbot' } }] }));
    const high = gw.find((s) => s.alarmName === 'chatbot-HighAPILatency-gw') as MetricAlarmSpec;
    assert.equal(high.metrics[0]!.metric.metricName, 'Latency');
    assert.equal(high.threshold, 4000);
  });
});
