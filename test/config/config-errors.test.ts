import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadEnvironment } from '../../lib/core/config/environment';
import { parseConfig } from '../../lib/core/config/load';
import { ConfigError } from '../../lib/core/errors';
import { DEFAULT_INPUT, HOME_SERVICE } from '../support/config';

const service = HOME_SERVICE;

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-token-AbCdEf';
const slack = { tokenSecretArn: SECRET, inviteUsers: ['U012AB3CD'] };
const statusPage = { apiKeySecretArn: SECRET, pageId: 'kctbh9vrtdwd', components: { default: '8kbf7d35c070' } };
const jira = { provider: 'jira', credentialsSecretArn: SECRET, baseUrl: 'https://acme.atlassian.net', projectKey: 'OPS' };

/** Each row: an invalid change to the default config, the field the error must name, and the value it must quote. */
const INVALID: readonly {
  readonly name: string;
  readonly patch: Record<string, unknown>;
  readonly field: string;
  readonly received?: string;
  readonly message?: RegExp;
}[] = [
  { name: 'prefix with upper case', patch: { prefix: 'Chatbot' }, field: 'prefix', received: '"Chatbot"' },
  { name: 'prefix missing', patch: { prefix: undefined }, field: 'prefix' },
  { name: 'negative SLA', patch: { slaSeconds: -2 }, field: 'slaSeconds', received: '-2' },
  { name: 'SLA as a string', patch: { slaSeconds: '2' }, field: 'slaSeconds', received: '"2"' },
  { name: 'zero budget', patch: { dailyBudgetUsd: 0 }, field: 'dailyBudgetUsd', received: '0' },
  {
    name: 'pipeline window not whole hours',
    patch: { dataPipeline: { allowedDelayMinutes: 90 } },
    field: 'dataPipeline.allowedDelayMinutes',
    received: '90',
    message: /the sum 1530/,
  },
  {
    name: 'pipeline window over 7 days',
    patch: { dataPipeline: { scheduleMinutes: 10_080 } },
    field: 'dataPipeline.allowedDelayMinutes',
    received: '360',
    message: /at most 10080 minutes/,
  },
  {
    name: 'http runbook URL',
    patch: { runbookBaseUrl: 'http://wiki.example.com/runbooks' },
    field: 'runbookBaseUrl',
    received: '"http://wiki.example.com/runbooks"',
  },
  { name: 'bad account id', patch: { account: '1234' }, field: 'account', received: '"1234"' },
  { name: 'bad region', patch: { region: 'mars-1' }, field: 'region', received: '"mars-1"' },
  { name: 'no services', patch: { services: [] }, field: 'services', received: '[]' },
  { name: 'service name with spaces', patch: { services: [{ ...service, name: 'chat bot' }] }, field: 'services[0].name', received: '"chat bot"' },
  { name: 'duplicate service names', patch: { services: [service, service] }, field: 'services[1].name', received: '"chatbot-api"' },
  { name: 'empty ECS cluster', patch: { services: [{ ...service, ecs: { cluster: '', service: 'x' } }] }, field: 'services[0].ecs.cluster', received: '""' },
  {
    name: 'malformed ALB dimension',
    patch: { services: [{ ...service, api: { kind: 'alb', loadBalancer: 'my-alb' } }] },
    field: 'services[0].api.loadBalancer',
    received: '"my-alb"',
  },
  { name: 'unknown API kind', patch: { services: [{ ...service, api: { kind: 'nlb' } }] }, field: 'services[0].api.kind', received: '"nlb"' },
  { name: 'bad RDS identifier', patch: { services: [{ ...service, rds: { instanceId: '1db' } }] }, field: 'services[0].rds.instanceId', received: '"1db"' },
  { name: 'unknown service field', patch: { services: [{ ...service, cpu: 4 }] }, field: 'services[0].cpu', received: '4' },
  { name: 'SSM name without slash', patch: { ssm: { fallbackMode: 'chatbot/fallback' } }, field: 'ssm.fallbackMode', received: '"chatbot/fallback"' },
  {
    name: 'override of an unknown alert',
    patch: { alerts: { HighAPIErrrorRate: { threshold: 0.1 } } },
    field: 'alerts.HighAPIErrrorRate',
    received: '{"threshold":0.1}',
  },
  { name: 'unknown override field', patch: { alerts: { HighAPIErrorRate: { treshold: 0.1 } } }, field: 'alerts.HighAPIErrorRate.treshold', received: '0.1' },
  { name: 'bad severity override', patch: { alerts: { ConversionDrop: { severity: 'P5' } } }, field: 'alerts.ConversionDrop.severity', received: '"P5"' },
  { name: 'period not a multiple of 60', patch: { alerts: { CostSpike: { periodSeconds: 90 } } }, field: 'alerts.CostSpike.periodSeconds', received: '90' },
  {
    name: 'datapoints above evaluation periods',
    patch: { alerts: { HighAPIErrorRate: { datapointsToAlarm: 7 } } },
    field: 'alerts.HighAPIErrorRate.datapointsToAlarm',
    received: '7',
  },
  {
    name: 'duration not a whole number of periods',
    patch: { alerts: { HighAPIErrorRate: { durationMinutes: 2.5 } } },
    field: 'alerts.HighAPIErrorRate.durationMinutes',
    received: '2.5',
  },
  {
    name: 'window longer than CloudWatch allows',
    patch: { alerts: { HighAPIErrorRate: { durationMinutes: 1500 } } },
    field: 'alerts.HighAPIErrorRate.durationMinutes',
    received: '1500',
  },
  { name: 'log alert without its log group', patch: { logGroups: { access: '/a', application: '/b' } }, field: 'logGroups.modelOutput' },
  {
    name: 'regex filter with a group',
    patch: { logPatterns: { DataLeakDetected: { pii: '%(ssn)%' } } },
    field: 'logPatterns.DataLeakDetected.pii',
    received: '"%(ssn)%"',
  },
  { name: 'log patterns for a metric alert', patch: { logPatterns: { CostSpike: { x: 'ERROR' } } }, field: 'logPatterns.CostSpike' },
  {
    name: 'invalid email subscription',
    patch: { subscriptions: { 'on-call-primary': [{ email: 'not-an-email' }] } },
    field: 'subscriptions.on-call-primary[0].email',
    received: '"not-an-email"',
  },
  {
    name: 'SMS number not E.164',
    patch: { subscriptions: { 'vp-engineering': [{ sms: '555-5678' }] } },
    field: 'subscriptions.vp-engineering[0].sms',
    received: '"555-5678"',
  },
  {
    name: 'an HTTPS subscription to PagerDuty (which cannot read the SNS envelope) points to integrations.pagerDuty, without echoing the key in its path',
    patch: {
      subscriptions: {
        'on-call-primary': [{ email: 'oncall@example.com' }, { https: 'https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue' }],
      },
    },
    field: 'subscriptions.on-call-primary[1].https',
    received: '"https://events.pagerduty.com/…" (path hidden: it may carry an integration key)',
    message: /integrations\.pagerDuty/,
  },
  {
    name: 'an HTTPS subscription to PagerDuty EU',
    patch: { subscriptions: { 'on-call-primary': [{ https: 'https://events.eu.pagerduty.com/v2/enqueue' }] } },
    field: 'subscriptions.on-call-primary[0].https',
    message: /integrations\.pagerDuty/,
  },
  {
    name: 'unknown role',
    patch: { subscriptions: { cfo: [{ email: 'cfo@example.com' }] } },
    field: 'subscriptions.cfo',
    received: '[{"email":"cfo@example.com"}]',
  },
  { name: 'duplicate regions', patch: { regions: ['us-east-1', 'us-east-1'] }, field: 'regions' },
  {
    name: 'service region the environment does not serve',
    patch: { services: [{ ...service, regions: ['us-east-1', 'eu-west-1'] }] },
    field: 'services[0].regions[1]',
    received: '"eu-west-1"',
    message: /serving regions \(us-east-1, us-west-2\)/,
  },
  {
    name: 'service region outside the home region when the environment names no regions',
    patch: { regions: undefined, services: [{ ...service, regions: ['us-west-2'] }] },
    field: 'services[0].regions[0]',
    received: '"us-west-2"',
  },
  {
    name: 'service region named twice',
    patch: { services: [{ ...service, regions: ['us-west-2', 'us-west-2'] }] },
    field: 'services[0].regions[1]',
    received: '"us-west-2"',
    message: /duplicate region/,
  },
  { name: 'no service regions', patch: { services: [{ ...service, regions: [] }] }, field: 'services[0].regions', received: '[]' },
  {
    name: 'regional names for a region the service does not run in',
    patch: { services: [{ ...service, regions: ['us-east-1'], regional: { 'us-west-2': { ecs: { cluster: 'west', service: 'api' } } } }] },
    field: 'services[0].regional.us-west-2',
    received: '"us-west-2"',
    message: /runs only in the home region, where its own fields apply/,
  },
  {
    name: 'regional names for the home region',
    patch: { services: [{ ...service, regions: ['us-east-1', 'us-west-2'], regional: { 'us-east-1': { ecs: { cluster: 'east', service: 'api' } } } }] },
    field: 'services[0].regional.us-east-1',
    message: /outside the home region \(us-west-2\); its own fields are the home region's/,
  },
  {
    name: 'a regional database for a service without one',
    patch: { services: [{ ...service, rds: undefined, regions: ['us-east-1', 'us-west-2'], regional: { 'us-west-2': { rds: { instanceId: 'west-db' } } } }] },
    field: 'services[0].regional.us-west-2.rds',
    message: /has no database/,
  },
  {
    name: 'malformed regional load balancer',
    patch: { services: [{ ...service, regions: ['us-east-1', 'us-west-2'], regional: { 'us-west-2': { api: { kind: 'alb', loadBalancer: 'west' } } } }] },
    field: 'services[0].regional.us-west-2.api.loadBalancer',
    received: '"west"',
  },
  { name: 'malformed service region', patch: { services: [{ ...service, regions: ['west'] }] }, field: 'services[0].regions[0]', received: '"west"' },
  { name: 'lower-case country code', patch: { security: { allowedCountries: ['us'] } }, field: 'security.allowedCountries[0]', received: '"us"' },
  { name: 'metric namespace in AWS/', patch: { metrics: { namespace: 'AWS/Chatbot' } }, field: 'metrics.namespace', received: '"AWS/Chatbot"' },
  {
    name: 'certificate ARN from another service',
    patch: { certificates: [{ name: 'c', arn: 'arn:aws:iam::123456789012:server-certificate/x' }] },
    field: 'certificates[0].arn',
  },
  { name: 'stack pin out of range', patch: { services: [{ ...service, stack: 100 }] }, field: 'services[0].stack', received: '100' },
  { name: 'alarms per stack above the template limit', patch: { maxAlarmsPerStack: 1000 }, field: 'maxAlarmsPerStack', received: '1000' },
  {
    name: 'ingestion lag allowance above 15 minutes',
    patch: { automation: { ingestionLagSeconds: 1200 } },
    field: 'automation.ingestionLagSeconds',
    received: '1200',
  },
  { name: 'negative ingestion lag allowance', patch: { automation: { ingestionLagSeconds: -60 } }, field: 'automation.ingestionLagSeconds', received: '-60' },
  {
    name: 'Slack without its token secret',
    patch: { integrations: { slack: { inviteUsers: ['U012AB3CD'] } } },
    field: 'integrations.slack.tokenSecretArn',
    message: /required: the ARN of the Secrets Manager secret holding the Slack bot token/,
  },
  {
    name: 'a token pasted where its secret ARN goes is not echoed',
    patch: { integrations: { slack: { ...slack, tokenSecretArn: 'xoxb-1234-5678-abcdef' } } },
    field: 'integrations.slack.tokenSecretArn',
    received: '(hidden: not an ARN, it may be the secret itself)',
  },
  {
    name: 'Slack channel nobody is invited to',
    patch: { integrations: { slack: { tokenSecretArn: SECRET } } },
    field: 'integrations.slack.inviteUsers',
    message: /invite the on-call group/,
  },
  {
    name: 'Slack API over http',
    patch: { integrations: { slack: { ...slack, apiUrl: 'http://slack.com/api' } } },
    field: 'integrations.slack.apiUrl',
    received: '"http://slack.com/api"',
  },
  {
    name: 'status page without its page id',
    patch: { integrations: { statusPage: { ...statusPage, pageId: undefined } } },
    field: 'integrations.statusPage.pageId',
    message: /required: the Statuspage page id/,
  },
  {
    name: 'status page component of an unknown service',
    patch: { integrations: { statusPage: { ...statusPage, components: { checkout: '8kbf7d35c070' } } } },
    field: 'integrations.statusPage.components.checkout',
    received: '"checkout"',
  },
  {
    name: 'GitHub tickets without a repository',
    patch: { integrations: { tickets: { provider: 'github', tokenSecretArn: SECRET } } },
    field: 'integrations.tickets.repository',
    message: /required: the GitHub repository/,
  },
  {
    name: 'Jira tickets without the site URL',
    patch: { integrations: { tickets: { ...jira, baseUrl: undefined } } },
    field: 'integrations.tickets.baseUrl',
    message: /required: the HTTPS URL of the Jira site/,
  },
  {
    name: 'Jira site over http',
    patch: { integrations: { tickets: { ...jira, baseUrl: 'http://acme.atlassian.net' } } },
    field: 'integrations.tickets.baseUrl',
    received: '"http://acme.atlassian.net"',
  },
  {
    name: 'unknown ticket provider',
    patch: { integrations: { tickets: { provider: 'servicenow' } } },
    field: 'integrations.tickets.provider',
    received: '"servicenow"',
  },
  {
    name: 'PagerDuty without its routing key secret',
    patch: { integrations: { pagerDuty: {} } },
    field: 'integrations.pagerDuty.routingKeySecretArn',
    message: /required: the ARN of the Secrets Manager secret holding the PagerDuty Events v2 routing key/,
  },
  { name: 'the retired ticket webhook', patch: { escalation: { ticketWebhookUrl: 'https://tickets.example.com/hook' } }, field: 'escalation.ticketWebhookUrl' },
];

describe('invalid configuration fails with the field and the value', () => {
  for (const row of INVALID) {
    it(row.name, () => {
      // GIVEN
      const raw = { ...DEFAULT_INPUT, ...row.patch };
      // WHEN / THEN
      assert.throws(
        () => parseConfig('broken', raw),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
          const problem = error.problems.find((p) => p.field === row.field);
          assert.ok(problem, `no problem names ${row.field}; got ${error.message}`);
          if (row.received !== undefined) assert.equal(problem.received, row.received);
          if (row.message !== undefined) assert.match(problem.message, row.message);
          assert.match(error.message, /Invalid config for env "broken"/);
          return true;
        },
      );
    });
  }

  it('an unknown environment lists the known ones', () => {
    assert.throws(() => loadEnvironment('prod-eu'), /env: unknown environment; known: default, staging, multi-account/);
  });

  it('every shipped environment is valid', () => {
    for (const name of ['default', 'staging', 'multi-account']) assert.doesNotThrow(() => loadEnvironment(name));
  });
});
