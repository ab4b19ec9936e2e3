import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { powertools } from '../../lambdas/shared/observability';
import { resolveAlarms } from '../../lib/core/alarms/resolve';
import { SEVERITIES } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { DRILL_INTEGRATIONS } from '../../tools/drill/collaboration-world';
import { ALARMS_PER_WIDGET, AlertingDashboard, MAX_LISTED_PER_SEVERITY } from '../../lib/infra/constructs/dashboard';
import { stacksOf } from '../../lib/infra/app';
import { config, fleetConfig } from '../support/config';
import { resourcesOfType, synth } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
interface Widget {
  readonly type: 'alarm' | 'metric' | 'log' | 'text';
  readonly properties: {
    title?: string;
    alarms?: string[];
    sortBy?: string;
    metrics?: { expression: string; label: string }[][];
    query?: string;
    markdown?: string;
  };
}
interface Body {
  readonly start: string;
  readonly widgets: Widget[];
}

/**
 * The dashboard of a template, its body parsed: the Fn::Join parts concatenated, a Ref to a log group replaced
 * by the group's name and a pseudo parameter by `${AWS::...}`.
 */
function dashboardOf(template: Template): { name: string; body: Body; bytes: number } {
  const resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
  const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  assert.equal(dashboards.length, 1);
  const props = dashboards[0]!.Properties as { DashboardName: string; DashboardBody: { 'Fn::Join': [string, (string | { Ref: string })[]] } };
  const text = props.DashboardBody['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : refValue(resources, part.Ref))).join('');
  return { name: props.DashboardName, body: JSON.parse(text) as Body, bytes: Buffer.byteLength(text) };
}

function refValue(resources: Record<string, Resource>, ref: string): string {
  if (ref.startsWith('AWS::')) return `\${${ref}}`;
  const target = resources[ref];
  assert.equal(target?.Type, 'AWS::Logs::LogGroup', `unexpected Ref ${ref}`);
  return target!.Properties.LogGroupName as string;
}

/** Alarm names of the alarm status widgets whose title starts with the severity. */
function listedAlarms(body: Body, severity: string): string[] {
  return body.widgets
    .filter((w) => w.type === 'alarm' && w.properties.title!.startsWith(`${severity} `))
    .flatMap((w) => w.properties.alarms!.map((arn) => arn.split(':alarm:')[1]!));
}

/** The dashboard construct alone in a bare stack: no functions to bundle, for configs that only change the alarms. */
function dashboardAlone(cfg: Config): ReturnType<typeof dashboardOf> {
  const stack = new Stack(new App(), 'Dashboard', { env: { region: cfg.region } });
  new AlertingDashboard(stack, 'Dashboard', { config: cfg, responderLogGroupName: '/aws/lambda/responder', incidentLogGroupNames: ['/aws/lambda/starter'] });
  return dashboardOf(Template.fromStack(stack));
}

describe('the dashboard of the default environment', () => {
  const cfg = config();
  const synthesized = synth(cfg);
  const core = synthesized.templates.get('chatbot-alerting')!;
  const { name, body } = dashboardOf(core);
  const specs = resolveAlarms(cfg);

  it('is in the core stack, named <prefix>-alerting, opening on the last 7 days', () => {
    assert.equal(name, 'chatbot-alerting');
    assert.equal(body.start, '-P7D');
  });

  for (const severity of SEVERITIES) {
    it(`${severity}: one alarm status widget lists every ${severity} alarm, ALARM first, by ARN`, () => {
      // GIVEN
      const expected = specs.filter((s) => s.severity === severity).map((s) => s.alarmName);
      const widgets = body.widgets.filter((w) => w.type === 'alarm' && w.properties.title!.startsWith(`${severity} `));
      // THEN
      assert.ok(expected.length > 0 && expected.length <= ALARMS_PER_WIDGET);
      assert.equal(widgets.length, 1);
      assert.match(widgets[0]!.properties.title!, new RegExp(`^${severity} \\(\\w+\\) alarms \\(${expected.length}\\)$`));
      assert.equal(widgets[0]!.properties.sortBy, 'stateUpdatedTimestamp');
      assert.deepEqual(
        widgets[0]!.properties.alarms,
        expected.map((n) => `arn:\${AWS::Partition}:cloudwatch:us-east-1:\${AWS::AccountId}:alarm:${n}`),
      );
    });
  }

  it('lists alarms of every stack (core and alarm shards), and only alarms that exist', () => {
    // GIVEN the alarm names of every template of the home region (the dashboard's), with the stack that holds each
    const homeRegion = new Set(
      stacksOf(synthesized.built)
        .filter((stack) => stack.region === 'us-east-1')
        .map((stack) => stack.stackName),
    );
    const homes = new Map<string, string>();
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
      for (const [id, resource] of resourcesOfType(synthesized, type)) {
        const stack = id.split('/')[0]!;
        if (homeRegion.has(stack)) homes.set(resource.Properties.AlarmName as string, stack);
      }
    }
    // WHEN
    const listed = SEVERITIES.flatMap((s) => listedAlarms(body, s));
    // THEN
    assert.equal(listed.length, specs.length);
    for (const alarm of listed) assert.ok(homes.has(alarm), `${alarm} is not in any template`);
    assert.deepEqual(new Set(listed.map((a) => homes.get(a))), new Set(['chatbot-alerting', 'chatbot-alarms-0']));
  });

  it('graphs every action outcome summed over mitigations, from the EMF namespace of the responder', () => {
    const graph = body.widgets.find((w) => w.properties.title === 'Automatic actions by outcome (all mitigations, per 5 min)')!;
    assert.deepEqual(
      graph.properties.metrics!.map(([m]) => [m!.label, m!.expression]),
      ['ActionsTaken', 'ActionsSkipped', 'ActionsFailed', 'ActionsDryRun'].map((metric) => [
        metric,
        `SUM(SEARCH('{RunbookAlerting/chatbot,Mitigation,service} MetricName="${metric}"', 'Sum', 300))`,
      ]),
    );
  });

  it('graphs taken and failed per mitigation, and rejected notifications per reason', () => {
    const perMitigation = body.widgets.find((w) => w.properties.title === 'Actions taken and failed, per mitigation')!;
    assert.deepEqual(
      perMitigation.properties.metrics!.map(([m]) => m!.expression),
      ['ActionsTaken', 'ActionsFailed'].map((metric) => `SEARCH('{RunbookAlerting/chatbot,Mitigation,service} MetricName="${metric}"', 'Sum', 300)`),
    );
    const rejected = body.widgets.find((w) => w.properties.title === 'Notifications rejected by the responder, per reason')!;
    assert.deepEqual(rejected.properties.metrics, [
      [{ label: "${PROP('Dim.Reason')}", expression: `SEARCH('{RunbookAlerting/chatbot,Reason,service} MetricName="NotificationsRejected"', 'Sum', 300)` }],
    ]);
  });

  it('the SEARCH schemas name exactly the dimensions the responder emits (Powertools adds `service`)', () => {
    // GIVEN the responder's real Powertools metrics, stdout captured
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    try {
      // WHEN
      const { metrics } = powertools('chatbot-responder', 'RunbookAlerting/chatbot');
      metrics.count('ActionsTaken', 'ecs-rollback');
      metrics.count('NotificationsRejected', 'malformed');
    } finally {
      process.stdout.write = write;
    }
    // THEN
    const emitted = lines
      .map((l) => JSON.parse(l) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } })
      .map((e) => e._aws.CloudWatchMetrics[0]!);
    const schemas = body.widgets.flatMap((w) => w.properties.metrics ?? []).map(([m]) => /\{([^}]+)\}/.exec(m!.expression)![1]!.split(','));
    for (const { Namespace, Dimensions } of emitted) {
      assert.ok(
        schemas.some(([ns, ...dims]) => ns === Namespace && [...dims].sort().join() === [...Dimensions[0]!].sort().join()),
        `${Namespace} ${Dimensions[0]} is searched`,
      );
    }
  });

  it('a Logs Insights table of executed actions reads the responder log group', () => {
    const widget = body.widgets.find((w) => w.type === 'log' && w.properties.title!.startsWith('Executed actions'))!;
    assert.equal(
      widget.properties.query,
      [
        "SOURCE '/aws/lambda/chatbot-responder' | fields @timestamp, mitigation, target, beforeState, afterState, actionId",
        '| parse @message /"before":(?<beforeState>\\{[^}]*\\})/',
        '| parse @message /"after":(?<afterState>\\{[^}]*\\})/',
        '| filter message = "mitigation applied"',
        '| sort @timestamp desc',
        '| limit 100',
      ].join('\n'),
    );
  });

  it('open incidents come from the lifecycle logs of the starter (alarm OK) and the endpoint (human resolve)', () => {
    const widget = body.widgets.find((w) => w.type === 'log' && w.properties.title!.startsWith('Open incidents'))!;
    assert.equal(
      widget.properties.query,
      [
        "SOURCE '/aws/lambda/chatbot-escalation-starter' | SOURCE '/aws/lambda/chatbot-escalation-endpoint' | fields @timestamp, message, incidentId",
        '| filter message like /^incident (opened|re-classified|resolved)/',
        '| stats min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, latest(message) as lastEvent by incidentId',
        '| filter lastEvent != "incident resolved"',
        '| sort firstSeen desc',
        '| limit 100',
      ].join('\n'),
    );
  });

  it('saves the two Logs Insights queries on the responder log group', () => {
    // GIVEN
    const resources = (core.toJSON() as { Resources: Record<string, Resource> }).Resources;
    const queries = Object.values(core.findResources('AWS::Logs::QueryDefinition')) as {
      Properties: { Name: string; QueryString: string; LogGroupNames: { Ref: string }[] };
    }[];
    // THEN
    assert.deepEqual(
      queries.map((q) => [q.Properties.Name, q.Properties.LogGroupNames.map((g) => refValue(resources, g.Ref)), q.Properties.QueryString]),
      [
        [
          'chatbot/actions in the last 24 h',
          ['/aws/lambda/chatbot-responder'],
          [
            'fields @timestamp, message, mitigation, target, reason, error, beforeState, afterState, actionId',
            '| parse @message /"before":(?<beforeState>\\{[^}]*\\})/',
            '| parse @message /"after":(?<afterState>\\{[^}]*\\})/',
            '| filter message like /^mitigation (applied|skipped|failed)/',
            '| sort @timestamp desc',
            '| limit 1000',
          ].join('\n'),
        ],
        [
          'chatbot/skipped actions and why',
          ['/aws/lambda/chatbot-responder'],
          ['fields @timestamp, mitigation, reason, actionId', '| filter message = "mitigation skipped"', '| sort @timestamp desc', '| limit 1000'].join('\n'),
        ],
      ],
    );
  });
});

describe('the dashboard of a fleet', () => {
  it('50 services: a severity of 101 to 300 alarms is split into status widgets of at most 100, listing every alarm', () => {
    // GIVEN
    const cfg = fleetConfig(50);
    const specs = resolveAlarms(cfg);
    // WHEN
    const { body } = dashboardAlone(cfg);
    // THEN
    let split = 0;
    for (const severity of SEVERITIES) {
      const expected = specs.filter((s) => s.severity === severity).map((s) => s.alarmName);
      assert.ok(expected.length <= MAX_LISTED_PER_SEVERITY, `${severity}: ${expected.length}`);
      const widgets = body.widgets.filter((w) => w.type === 'alarm' && w.properties.title!.startsWith(`${severity} `));
      for (const w of widgets) assert.ok(w.properties.alarms!.length <= ALARMS_PER_WIDGET);
      assert.deepEqual(listedAlarms(body, severity), expected);
      if (widgets.length > 1) {
        split += 1;
        assert.match(widgets[1]!.properties.title!, new RegExp(`^${severity} \\(\\w+\\) alarms 101-\\d+ of ${expected.length}$`));
      }
    }
    assert.ok(split > 0, 'no severity needed more than one widget');
  });

  describe('300 services', () => {
    const cfg = fleetConfig(300);
    const specs = resolveAlarms(cfg);
    const synthesized = synth(cfg);
    const core = synthesized.templates.get('chatbot-alerting')!;

    it('the core stack stays under 500 resources and 1,000,000 bytes, the dashboard body far under its limits', () => {
      // GIVEN
      const json = core.toJSON() as { Resources: Record<string, unknown> };
      const { body, bytes } = dashboardOf(core);
      // THEN
      assert.ok(specs.length > 1000, `${specs.length} alarms`);
      assert.ok(Object.keys(json.Resources).length < 500, `${Object.keys(json.Resources).length} resources`);
      assert.ok(Buffer.byteLength(JSON.stringify(json, undefined, 1)) < 1_000_000);
      assert.ok(body.widgets.length < 500, `${body.widgets.length} widgets`);
      assert.ok(bytes < 1_000_000, `${bytes} bytes`);
    });

    for (const severity of ['P1', 'P2', 'P3'] as const) {
      it(`${severity}: more than ${MAX_LISTED_PER_SEVERITY} alarms: lists the environment-wide ones, and says how many service alarms are not listed and where to find them`, () => {
        // GIVEN
        const { body } = dashboardOf(core);
        const all = specs.filter((s) => s.severity === severity);
        const environmentWide = all.filter((s) => s.service === undefined).map((s) => s.alarmName);
        const notListed = all.length - environmentWide.length;
        // THEN
        assert.ok(all.length > MAX_LISTED_PER_SEVERITY);
        assert.deepEqual(listedAlarms(body, severity), environmentWide);
        assert.match(
          body.widgets.find((w) => w.type === 'alarm' && w.properties.title!.startsWith(`${severity} `))!.properties.title!,
          new RegExp(`environment-wide alarms \\(${environmentWide.length}\\); ${notListed} service alarms not shown$`),
        );
        const text = body.widgets.find((w) => w.type === 'text' && w.properties.markdown!.startsWith(`**${severity} `))!.properties.markdown!;
        assert.ok(text.includes(`${notListed} service alarms are not listed`));
        assert.ok(text.includes("#alarmsV2:?~(search~'chatbot-~alarmStateFilter~'ALARM)"));
        assert.ok(text.includes('`oncall incidents --open`'));
      });
    }
  });

  it('with an integration configured: a table and a saved query of integration failures, from the collaboration log group', () => {
    // GIVEN
    const withIntegrations = synth(config({ integrations: DRILL_INTEGRATIONS })).templates.get('chatbot-alerting')!;
    const { body: withBody } = dashboardOf(withIntegrations);
    const query = [
      'fields @timestamp, integration, incidentId, error',
      '| filter message like /^integration failed/',
      '| sort @timestamp desc',
      '| limit 100',
    ].join('\n');
    // THEN
    const widget = withBody.widgets.find((w) => w.type === 'log' && w.properties.title!.startsWith('Integration failures'))!;
    assert.equal(widget.properties.query, `SOURCE '/aws/lambda/chatbot-collaboration' | ${query}`);
    withIntegrations.hasResourceProperties('AWS::Logs::QueryDefinition', { Name: 'chatbot/integration failures', QueryString: query });
    const { body: withoutBody } = dashboardOf(synth(config()).templates.get('chatbot-alerting')!);
    assert.ok(!withoutBody.widgets.some((w) => w.properties.title?.startsWith('Integration failures')), 'none without integrations');
  });
});
