import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { automationNamespace } from '../../../lambdas/shared/observability';
import type { AlarmSpec } from '../../core/alarms/alarm-spec';
import { resolveAlarms } from '../../core/alarms/resolve';
import { SEVERITIES, SEVERITY_LEVELS, type Severity } from '../../core/catalog';
import type { Config } from '../../core/config/schema';

/** Props of {@link AlertingDashboard}. */
export interface AlertingDashboardProps {
  readonly config: Config;
  /** Log group of the responder function: its JSON log lines 'mitigation applied' / 'skipped' / 'failed'. */
  readonly responderLogGroupName: string;
  /**
   * Log groups that log the incident lifecycle: the escalation starter ('incident opened', 're-classified',
   * 'resolved' on alarm OK) and the ack/resolve endpoint ('incident resolved' by a human from a page).
   */
  readonly incidentLogGroupNames: readonly string[];
  /** Log group of the collaboration function, when an integration is configured: its 'integration failed' lines. @default none */
  readonly collaborationLogGroupName?: string;
}

/** CloudWatch lists at most 100 alarms in one alarm status widget. */
export const ALARMS_PER_WIDGET = 100;
/**
 * Above this many alarms of one severity (a fleet), the dashboard lists only the environment-wide alarms of the
 * severity and links to the alarm list: a grid of 300 service alarms out of 1,200 would look green while the
 * alarm that fires is one of those left out. Keeps the body far below CloudWatch's 500 widgets and 1 MB.
 */
export const MAX_LISTED_PER_SEVERITY = 300;

/** The outcomes the responder counts, one EMF metric each (lambdas/shared/observability.ts). */
export const ACTION_METRICS = ['ActionsTaken', 'ActionsSkipped', 'ActionsFailed', 'ActionsDryRun'] as const;

/**
 * A SEARCH over one responder metric, one time series per value of `dimension` (Mitigation, or Reason for
 * NotificationsRejected). SEARCH rather than one metric per mitigation of the catalog: the graphs show the
 * mitigations that actually acted, a new mitigation appears without a change here, and the body stays a few
 * expressions long. The schema names the exact dimension set Powertools emits: our dimension plus the `service`
 * dimension Metrics adds by default (a schema without it matches nothing; test/stack/dashboard.test.ts
 * checks it against real Powertools output).
 */
export function responderMetricSearch(prefix: string, metricName: string, dimension: 'Mitigation' | 'Reason'): string {
  return `SEARCH('{${automationNamespace(prefix)},${dimension},service} MetricName="${metricName}"', 'Sum', 300)`;
}

/**
 * The JSON log lines carry before/after as flat objects (State of a mitigation); Logs Insights flattens them
 * into `before.<key>` fields that differ per mitigation, so the queries extract each object whole.
 */
const BEFORE_AFTER = ['@message /"before":(?<beforeState>\\{[^}]*\\})/', '@message /"after":(?<afterState>\\{[^}]*\\})/'];

/** Automatic actions that changed something, newest first (dashboard widget). */
export const EXECUTED_ACTIONS_QUERY = new logs.QueryString({
  fields: ['@timestamp', 'mitigation', 'target', 'beforeState', 'afterState', 'actionId'],
  parseStatements: BEFORE_AFTER,
  filterStatements: ['message = "mitigation applied"'],
  sort: '@timestamp desc',
  limit: 100,
});

/** Every decision of the responder that is logged: applied, skipped, failed (saved query; the time range is the console's). */
export const ACTIONS_QUERY = new logs.QueryString({
  fields: ['@timestamp', 'message', 'mitigation', 'target', 'reason', 'error', 'beforeState', 'afterState', 'actionId'],
  parseStatements: BEFORE_AFTER,
  filterStatements: ['message like /^mitigation (applied|skipped|failed)/'],
  sort: '@timestamp desc',
  limit: 1000,
});

/** Skipped actions with the guard rail or precondition that stopped them. */
export const SKIPPED_ACTIONS_QUERY = new logs.QueryString({
  fields: ['@timestamp', 'mitigation', 'reason', 'actionId'],
  filterStatements: ['message = "mitigation skipped"'],
  sort: '@timestamp desc',
  limit: 1000,
});

/** Failed calls to Slack, the status page, the ticket tracker and PagerDuty, newest first (each is also in its incident's timeline). */
export const INTEGRATION_FAILURES_QUERY = new logs.QueryString({
  fields: ['@timestamp', 'integration', 'incidentId', 'error'],
  filterStatements: ['message like /^integration failed/'],
  sort: '@timestamp desc',
  limit: 100,
});

/**
 * Incidents whose last lifecycle line in the range is not 'incident resolved' ('incident opened', its silenced
 * variant, 'incident re-classified'). Written by hand: the QueryString builder cannot put a filter after stats.
 */
export const OPEN_INCIDENTS_QUERY = [
  'fields @timestamp, message, incidentId',
  '| filter message like /^incident (opened|re-classified|resolved)/',
  '| stats min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, latest(message) as lastEvent by incidentId',
  '| filter lastEvent != "incident resolved"',
  '| sort firstSeen desc',
  '| limit 100',
].join('\n');

/**
 * The environment's CloudWatch dashboard `<prefix>-alerting`: alarm states by severity, the responder's actions
 * by outcome (EMF metrics), rejected notifications, open incidents and executed actions (Logs Insights); and the
 * saved Logs Insights queries `<prefix>/actions in the last 24 h` and `<prefix>/skipped actions and why`.
 *
 * Open incidents come from the incident lifecycle logs, not from a metric: counts of opened and resolved incidents
 * cannot say which incidents are open now (a range-limited running sum misses everything opened before the range),
 * while the lifecycle lines name each incident. The dashboard opens on 7 days so that view covers the escalations
 * of the week; the incident store (`oncall incidents --open`) stays the authoritative list.
 */
export class AlertingDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: AlertingDashboardProps) {
    super(scope, id);
    const { config } = props;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${config.prefix}-alerting`,
      defaultInterval: Duration.days(7),
    });
    // CloudFormation takes Tags on a dashboard (the app's tags reach it since aws-cdk-lib 2.257); the schema bundled
    // with cfn-lint 1.51 predates them. Only this resource, whose properties the L2 writes, skips the check.
    (this.dashboard.node.defaultChild as cloudwatch.CfnDashboard).addMetadata('cfn-lint', { config: { ignore_checks: ['E3002'] } });

    const specs = resolveAlarms(config);
    for (const severity of SEVERITIES) {
      this.dashboard.addWidgets(
        ...this.alarmWidgets(
          config,
          severity,
          specs.filter((s) => s.severity === severity),
        ),
      );
    }
    this.dashboard.addWidgets(...actionWidgets(config.prefix));

    const responderLogs = logs.LogGroup.fromLogGroupName(this, 'ResponderLogs', props.responderLogGroupName);
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Executed actions (mitigation applied), newest first',
        logGroupNames: [props.responderLogGroupName],
        queryString: EXECUTED_ACTIONS_QUERY.toString(),
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        width: 16,
        height: 8,
      }),
      new cloudwatch.LogQueryWidget({
        title: 'Open incidents: opened in the range, no resolve logged (authoritative: oncall incidents --open)',
        logGroupNames: [...props.incidentLogGroupNames],
        queryString: OPEN_INCIDENTS_QUERY,
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        width: 8,
        height: 8,
      }),
    );

    if (props.collaborationLogGroupName !== undefined) {
      this.dashboard.addWidgets(
        new cloudwatch.LogQueryWidget({
          title: 'Integration failures (Slack, status page, tickets, PagerDuty): paging and mitigation went on',
          logGroupNames: [props.collaborationLogGroupName],
          queryString: INTEGRATION_FAILURES_QUERY.toString(),
          view: cloudwatch.LogQueryVisualizationType.TABLE,
          width: 24,
          height: 6,
        }),
      );
      new logs.QueryDefinition(this, 'IntegrationFailuresQuery', {
        queryDefinitionName: `${config.prefix}/integration failures`,
        queryString: INTEGRATION_FAILURES_QUERY,
        logGroups: [logs.LogGroup.fromLogGroupName(this, 'CollaborationLogs', props.collaborationLogGroupName)],
      });
    }

    new logs.QueryDefinition(this, 'ActionsQuery', {
      queryDefinitionName: `${config.prefix}/actions in the last 24 h`,
      queryString: ACTIONS_QUERY,
      logGroups: [responderLogs],
    });
    new logs.QueryDefinition(this, 'SkippedActionsQuery', {
      queryDefinitionName: `${config.prefix}/skipped actions and why`,
      queryString: SKIPPED_ACTIONS_QUERY,
      logGroups: [responderLogs],
    });
  }

  /**
   * One row per severity: every alarm, ALARM first, in widgets of at most 100; for a fleet, the environment-wide
   * alarms and a pointer to the alarm list. Alarms live in several stacks under fixed names, so they are
   * referenced by ARN from their name.
   */
  private alarmWidgets(config: Config, severity: Severity, specs: readonly AlarmSpec[]): cloudwatch.IWidget[] {
    const label = `${severity} (${SEVERITY_LEVELS[severity].name})`;
    if (specs.length === 0) return [new cloudwatch.TextWidget({ markdown: `**${label}**: no alarms in this environment.`, width: 24, height: 2 })];
    const fleet = specs.length > MAX_LISTED_PER_SEVERITY;
    const listed = fleet ? specs.filter((s) => s.service === undefined) : specs;
    const widgets: cloudwatch.IWidget[] = chunks(listed, ALARMS_PER_WIDGET).map((chunk, i, all) => {
      const range = all.length > 1 ? ` ${i * ALARMS_PER_WIDGET + 1}-${i * ALARMS_PER_WIDGET + chunk.length} of ${listed.length}` : ` (${listed.length})`;
      const title = fleet ? `${label} environment-wide alarms${range}; ${specs.length - listed.length} service alarms not shown` : `${label} alarms${range}`;
      return new cloudwatch.AlarmStatusWidget({
        title,
        alarms: chunk.map((s, j) => cloudwatch.Alarm.fromAlarmName(this, `${severity}Alarm${i * ALARMS_PER_WIDGET + j}`, s.alarmName)),
        sortBy: cloudwatch.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        width: 24,
        height: Math.min(2 + Math.ceil(chunk.length / 4), 27),
      });
    });
    if (fleet) widgets.push(new cloudwatch.TextWidget({ markdown: notListed(config, label, specs.length - listed.length), width: 24, height: 3 }));
    return widgets;
  }
}

/** The responder's EMF metrics: every outcome summed over mitigations, taken and failed per mitigation, rejected notifications per reason. */
function actionWidgets(prefix: string): cloudwatch.IWidget[] {
  const period = Duration.minutes(5);
  return [
    new cloudwatch.GraphWidget({
      title: 'Automatic actions by outcome (all mitigations, per 5 min)',
      left: ACTION_METRICS.map(
        (name) => new cloudwatch.MathExpression({ expression: `SUM(${responderMetricSearch(prefix, name, 'Mitigation')})`, label: name, period }),
      ),
      width: 8,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Actions taken and failed, per mitigation',
      left: (['ActionsTaken', 'ActionsFailed'] as const).map(
        (name) =>
          new cloudwatch.MathExpression({ expression: responderMetricSearch(prefix, name, 'Mitigation'), label: `${name} \${PROP('Dim.Mitigation')}`, period }),
      ),
      width: 8,
      height: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Notifications rejected by the responder, per reason',
      left: [
        new cloudwatch.MathExpression({ expression: responderMetricSearch(prefix, 'NotificationsRejected', 'Reason'), label: "${PROP('Dim.Reason')}", period }),
      ],
      width: 8,
      height: 6,
    }),
  ];
}

/** What a fleet's dashboard says instead of listing a severity's service alarms. */
function notListed(config: Config, label: string, count: number): string {
  const url = `https://${config.region}.console.aws.amazon.com/cloudwatch/home?region=${config.region}#alarmsV2:?~(search~'${config.prefix}-~alarmStateFilter~'ALARM)`;
  return [
    `**${label}: ${count} service alarms are not listed** (too many for a dashboard).`,
    `Alarms of this environment in ALARM now: [CloudWatch alarms](${url}), or \`aws cloudwatch describe-alarms --state-value ALARM --alarm-name-prefix ${config.prefix}-\`.`,
    'Open incidents: `oncall incidents --open`.',
  ].join('\n\n');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
