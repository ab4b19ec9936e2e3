import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DRILL_INTEGRATIONS } from '../../tools/drill/collaboration-world';
import { Match } from 'aws-cdk-lib/assertions';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SecretRef } from '../../lib/core/config/integrations';
import { config } from '../support/config';
import { synth } from '../support/synth';

const withIntegrations = synth(config({ integrations: DRILL_INTEGRATIONS })).templates.get('chatbot-alerting')!;
const without = synth(config()).templates.get('chatbot-alerting')!;

const ARN_BASE = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';

/** IAM's ARN matching: `?` is exactly one character, `*` any run of characters, everything else literal. */
function iamMatches(pattern: string, arn: string): boolean {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
      .replace(/\?/g, '.')
      .replace(/\*/g, '.*')}$`,
  ).test(arn);
}

/** A resource as CloudFormation resolves it in the aws partition (names by name are built with AWS::Partition). */
function inAwsPartition(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const [, parts] = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : (p as { Ref: string }).Ref === 'AWS::Partition' ? 'aws' : '?unresolved?')).join('');
}

type Pattern = { [key: string]: Pattern | (string | { prefix: string })[] };

/** Lambda's event filtering, for the rules this stack uses: a list of values or `prefix`es, nested objects. */
function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (Array.isArray(rule)) return rule.some((r) => (typeof r === 'string' ? value === r : typeof value === 'string' && value.startsWith(r.prefix)));
    return typeof value === 'object' && value !== null && matches(rule, value as Record<string, unknown>);
  });
}

const record = (eventName: string, item: Record<string, unknown>) => ({
  eventName,
  dynamodb: { Keys: marshall({ pk: item.pk, sk: item.sk }), NewImage: marshall(item) },
});

describe('collaboration resources', () => {
  it('exist only when an integration is configured', () => {
    without.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    without.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: Match.absent() });
    assert.equal(
      Object.values(without.findResources('AWS::Lambda::Function')).filter(
        (f) => (f.Properties as { FunctionName?: string }).FunctionName === 'chatbot-collaboration',
      ).length,
      0,
    );
    withIntegrations.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'chatbot-collaboration', Timeout: 180 });
  });

  it('read the audit table stream in order, report the failing record, and send exhausted batches to the dead-letter queue', () => {
    withIntegrations.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'LATEST',
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    withIntegrations.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
  });

  it('filter the stream down to new timeline events and decided actions', () => {
    const [mapping] = Object.values(withIntegrations.findResources('AWS::Lambda::EventSourceMapping'));
    const patterns = (mapping!.Properties as { FilterCriteria: { Filters: { Pattern: string }[] } }).FilterCriteria.Filters.map(
      (f) => JSON.parse(f.Pattern) as Pattern,
    );
    const delivered = (r: ReturnType<typeof record>) => patterns.some((p) => matches(p, r));
    assert.ok(delivered(record('INSERT', { pk: 'INCIDENT#i', sk: 'EVENT#2026-11-27T03:00:00Z#ab', type: 'page' })));
    assert.ok(delivered(record('MODIFY', { pk: 'ACTION#a', sk: 'ACTION', decision: 'acted', outcome: 'succeeded' })));
    assert.ok(delivered(record('MODIFY', { pk: 'ACTION#a', sk: 'ACTION', decision: 'dry-run' })));
    assert.ok(!delivered(record('INSERT', { pk: 'ACTION#a', sk: 'ACTION', decision: 'evaluating' })), 'a claim is not news');
    assert.ok(!delivered(record('MODIFY', { pk: 'INCIDENT#i', sk: 'INCIDENT', status: 'open' })), 'incident items change with every event');
    assert.ok(!delivered(record('INSERT', { pk: 'COLLAB#i', sk: 'EFFECT#x' })), 'its own bookkeeping');
    assert.ok(!delivered(record('INSERT', { pk: 'COOLDOWN#m#t', sk: 'COOLDOWN' })));
  });

  it('may read the configured secrets and nothing else in Secrets Manager', () => {
    const policies = Object.values(withIntegrations.findResources('AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p).includes('secretsmanager:GetSecretValue') && JSON.stringify(p).includes('Collaboration'),
    );
    const statements = policies
      .flatMap((p) => (p.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }).PolicyDocument.Statement)
      .filter((s) => s.Action === 'secretsmanager:GetSecretValue');
    // the test config names its secrets without their suffix: each matches exactly the six characters AWS appends
    const secrets = [
      DRILL_INTEGRATIONS.slack.tokenSecretArn,
      DRILL_INTEGRATIONS.statusPage.apiKeySecretArn,
      DRILL_INTEGRATIONS.tickets.tokenSecretArn,
      DRILL_INTEGRATIONS.pagerDuty.routingKeySecretArn,
    ];
    assert.deepEqual(
      statements.map((s) => s.Resource),
      [secrets.map((arn) => `${arn}-??????`)],
    );
  });

  // Secrets Manager appends "-" and six random letters or digits to a name; a policy must match the real ARN.
  const SECRETS: readonly { name: string; given: SecretRef; realArn: string; resource: string }[] = [
    {
      name: 'a complete ARN, as create-secret prints it',
      given: `${ARN_BASE}chatbot/slack-bot-token-AbCdEf`,
      realArn: `${ARN_BASE}chatbot/slack-bot-token-AbCdEf`,
      resource: `${ARN_BASE}chatbot/slack-bot-token-AbCdEf`,
    },
    {
      name: 'a partial ARN (the name without the suffix)',
      given: `${ARN_BASE}chatbot/slack-bot-token`,
      realArn: `${ARN_BASE}chatbot/slack-bot-token-Q1w2E3`,
      resource: `${ARN_BASE}chatbot/slack-bot-token-??????`,
    },
    {
      name: 'by name, a name ending in "-" and six characters',
      given: { name: 'prod/slack-abcdef' },
      realArn: `${ARN_BASE}prod/slack-abcdef-Zx9Yw8`,
      resource: `${ARN_BASE}prod/slack-abcdef-??????`,
    },
    {
      name: 'by name, an ordinary name',
      given: { name: 'chatbot/pagerduty' },
      realArn: `${ARN_BASE}chatbot/pagerduty-a1B2c3`,
      resource: `${ARN_BASE}chatbot/pagerduty-??????`,
    },
  ];
  const bySecret = synth(
    config({
      account: '123456789012',
      integrations: {
        slack: { ...DRILL_INTEGRATIONS.slack, tokenSecretArn: SECRETS[0]!.given },
        statusPage: { ...DRILL_INTEGRATIONS.statusPage, apiKeySecretArn: SECRETS[1]!.given },
        tickets: { ...DRILL_INTEGRATIONS.tickets, tokenSecretArn: SECRETS[2]!.given },
        pagerDuty: { routingKeySecretArn: SECRETS[3]!.given },
      },
    }),
  ).templates.get('chatbot-alerting')!;
  const granted = Object.values(bySecret.findResources('AWS::IAM::Policy'))
    .flatMap((p) => (p.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: string | string[] }[] } }).PolicyDocument.Statement)
    .filter((s) => s.Action === 'secretsmanager:GetSecretValue')
    .flatMap((s) => [s.Resource].flat())
    .map(inAwsPartition);
  for (const row of SECRETS) {
    it(`grants a secret given as ${row.name} on its real ARN, and on no other secret`, () => {
      // THEN the policy names it in the form IAM matches against the secret's real ARN
      assert.ok(granted.includes(row.resource), `${row.resource} not in ${JSON.stringify(granted)}`);
      assert.ok(iamMatches(row.resource, row.realArn), `${row.resource} does not match ${row.realArn}`);
      // AND not a secret whose name merely starts the same
      assert.ok(!iamMatches(row.resource, `${row.realArn.slice(0, -7)}-old-Zx9Yw8`));
    });
  }

  it('every other resource the collaboration function may read is one of the configured secrets', () => {
    assert.deepEqual(granted.sort(), SECRETS.map((s) => s.resource).sort());
  });
});
