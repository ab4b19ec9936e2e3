import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CDK_APP_MODE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../lib/infra/app';
import { loadEnvironment } from '../../lib/core/config/environment';
import type { CfnTemplate, TemplateResource } from '../../lib/infra/quotas/intrinsics';
import { describeBreach, quotaBreaches, QuotaGuard } from '../../lib/infra/quotas/guard';
import { formatHeadroom, quotaHeadroom } from '../../lib/infra/quotas/headroom';
import { measureStacks, type QuotaMeasurement } from '../../lib/infra/quotas/measure';
import { QUOTAS, formatLimit, quota, type QuotaId } from '../../lib/infra/quotas/quota-table';

const workdir = mkdtempSync(join(tmpdir(), 'alerting-quotas-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const STACK = 'Quota';
const ENV = { region: 'eu-west-1', account: '123456789012' };

/** A policy document whose size grows one character per unit of `n` (the padded resource name). */
const policy = (n: number, extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', 'p'.repeat(n)]] },
      ...extra,
    },
  ],
});

const many = <T>(n: number, make: (i: number) => T): Record<string, T> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`R${i}`, make(i)]));
const topic: TemplateResource = { Type: 'AWS::SNS::Topic' };

/**
 * For each quota: a template whose measurement grows by one per unit of `n`, and the resource the
 * measurement is taken on (undefined: the template). Every case holds intrinsics where the real resource
 * would, so the estimator's resolved sizes are what gets compared with the quota.
 */
const CASES: Record<QuotaId, { readonly resource?: string; readonly build: (n: number) => CfnTemplate }> = {
  'cfn-template-body': { build: (n) => ({ Resources: { Param: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'v'.repeat(n) } } } }) },
  'cfn-resources': { build: (n) => ({ Resources: many(n, () => topic) }) },
  'cfn-outputs': { build: (n) => ({ Resources: { T: topic }, Outputs: many(n, () => ({ Value: { Ref: 'T' } })) }) },
  'cfn-parameters': { build: (n) => ({ Resources: { T: topic }, Parameters: many(n, () => ({ Type: 'String' })) }) },
  'cfn-description': { build: (n) => ({ Description: 'd'.repeat(n), Resources: { T: topic } }) },
  'iam-managed-policy-size': {
    resource: 'Managed',
    build: (n) => ({ Resources: { Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: policy(n, { Sid: 'With white space' }) } } } }),
  },
  'iam-role-inline-policies': {
    resource: 'Role',
    build: (n) => ({
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'inline', PolicyDocument: policy(3_000) }] } },
        Attached: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'attached', Roles: [{ Ref: 'Role' }], PolicyDocument: policy(n) } },
        Elsewhere: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'other', Roles: [{ Ref: 'Other' }], PolicyDocument: policy(9_000) } },
        Other: { Type: 'AWS::IAM::Role' },
      },
    }),
  },
  'iam-role-managed-policies': {
    resource: 'Role',
    build: (n) => ({
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { ManagedPolicyArns: Array.from({ length: n }, (_, i) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/P${i}` })) },
        },
        Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: policy(1) } },
      },
    }),
  },
  'lambda-environment': {
    resource: 'Fn',
    build: (n) => ({
      Resources: { T: topic, Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { TOPIC: { Ref: 'T' }, PAD: 'e'.repeat(n) } } } } },
    }),
  },
  'lambda-resource-policy': {
    resource: 'Fn',
    build: (n) => ({
      Resources: {
        T: topic,
        Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
        FromSns: {
          Type: 'AWS::Lambda::Permission',
          Properties: {
            FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] },
            Action: 'lambda:InvokeFunction',
            Principal: 'sns.amazonaws.com',
            SourceArn: { Ref: 'T' },
          },
        },
        Padded: {
          Type: 'AWS::Lambda::Permission',
          Properties: {
            FunctionName: { Ref: 'Fn' },
            Action: 'lambda:InvokeFunction',
            Principal: 'events.amazonaws.com',
            SourceArn: `arn:aws:events:eu-west-1:123456789012:rule/${'r'.repeat(n)}`,
          },
        },
      },
    }),
  },
  'sfn-definition': {
    resource: 'Machine',
    build: (n) => ({
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
        Machine: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionString: {
              'Fn::Join': [
                '',
                [
                  '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
                  { 'Fn::GetAtt': ['Fn', 'Arn'] },
                  '","Comment":"',
                  'c'.repeat(n),
                  '","End":true}}}',
                ],
              ],
            },
          },
        },
      },
    }),
  },
  'cw-dashboard-widgets': {
    resource: 'Board',
    build: (n) => ({
      Resources: {
        Board: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: {
            DashboardBody: {
              'Fn::Join': ['', ['{"widgets":', JSON.stringify(Array.from({ length: n }, () => ({ type: 'text', properties: { markdown: 'x' } }))), '}']],
            },
          },
        },
      },
    }),
  },
  'cw-alarm-name': {
    resource: 'Alarm',
    build: (n) => ({
      Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'a'.repeat(n)]] } } } },
    }),
  },
  'cw-alarm-description': {
    resource: 'Alarm',
    build: (n) => ({
      Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmDescription: { 'Fn::Sub': `\${AWS::Region}: ${'d'.repeat(n)}` } } } },
    }),
  },
  'cw-composite-alarm-rule': {
    resource: 'Composite',
    build: (n) => ({
      Resources: {
        Child: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        Composite: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: { AlarmRule: { 'Fn::Join': ['', ['ALARM("', { 'Fn::GetAtt': ['Child', 'Arn'] }, '") OR ALARM("', 'c'.repeat(n), '")']] } },
        },
      },
    }),
  },
  'sns-topic-policy': {
    resource: 'Policy',
    build: (n) => ({ Resources: { T: topic, Policy: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'T' }], PolicyDocument: policy(n) } } } }),
  },
  'kms-key-policy': { resource: 'Key', build: (n) => ({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: policy(n) } } } }) },
  'events-rule-targets': {
    resource: 'Rule',
    build: (n) => ({
      Resources: {
        T: topic,
        Rule: { Type: 'AWS::Events::Rule', Properties: { Targets: Array.from({ length: n }, (_, i) => ({ Id: `t${i}`, Arn: { Ref: 'T' } })) } },
      },
    }),
  },
};

/** The measurement of `id` on the case's resource, in a template built with `n`. */
function measure(id: QuotaId, n: number): { measurement: QuotaMeasurement; all: QuotaMeasurement[] } {
  const all = measureStacks([{ stackName: STACK, template: CASES[id].build(n), ...ENV }]);
  const measurement = all.find((m) => m.quota.id === id && m.logicalId === CASES[id].resource);
  assert.ok(measurement, `${id}: nothing measured on ${CASES[id].resource ?? 'the template'}`);
  return { measurement, all };
}

/** The `n` at which the case's measurement equals the quota (measurements grow by one per unit of n). */
function fittingN(id: QuotaId): number {
  return quota(id).value - measure(id, 0).measurement.value;
}

describe('quota guard: every quota', () => {
  it('has a case here (the table and the tests move together)', () => {
    assert.deepEqual(Object.keys(CASES).sort(), QUOTAS.map((q) => q.id).sort());
  });

  for (const q of QUOTAS) {
    describe(`${q.id} (${q.limits} ${q.per}, ${q.value} ${q.unit})`, () => {
      it('a template exactly at the quota passes', () => {
        const n = fittingN(q.id);
        const { measurement, all } = measure(q.id, n);
        assert.equal(measurement.value, q.value);
        assert.deepEqual(
          quotaBreaches(all).filter((b) => b.quota.id === q.id),
          [],
        );
      });

      it('one more breaks it, and the breach names the quota, its AWS value, the resource and its size', () => {
        const { all } = measure(q.id, fittingN(q.id) + 1);
        const breaches = quotaBreaches(all).filter((b) => b.quota.id === q.id);
        assert.equal(breaches.length, 1, JSON.stringify(breaches.map(describeBreach)));
        const message = describeBreach(breaches[0]!);
        assert.ok(message.includes(q.id), message);
        assert.ok(message.includes(q.source.page), message);
        assert.ok(message.includes(`at most ${q.value.toLocaleString('en-US')} ${q.unit}`), message);
        assert.ok(message.includes(CASES[q.id].resource === undefined ? `${STACK} ` : `${STACK}/${CASES[q.id].resource}`), message);
        assert.ok(message.includes(`measures ${(q.value + 1).toLocaleString('en-US')} ${q.unit}`), message);
      });
    });
  }

  it("resolves Fn::ImportValue to the exporting stack's output, as the alarm stacks import the core topics", () => {
    // GIVEN a core stack exporting a topic ARN and an alarm stack whose composite rule imports it
    const core: CfnTemplate = {
      Resources: { T: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'chatbot-alerts-P1' } } },
      Outputs: { Arn: { Value: { Ref: 'T' }, Export: { Name: 'core:TopicArn' } } },
    };
    const alarms: CfnTemplate = {
      Resources: {
        Composite: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: { AlarmRule: { 'Fn::Join': ['', ['ALARM("', { 'Fn::ImportValue': 'core:TopicArn' }, '")']] } },
        },
      },
    };
    // WHEN
    const all = measureStacks([
      { stackName: 'core', template: core, ...ENV },
      { stackName: 'alarms', template: alarms, ...ENV },
    ]);
    // THEN
    const rule = all.find((m) => m.quota.id === 'cw-composite-alarm-rule')!;
    assert.equal(rule.value, 'ALARM("arn:aws:sns:eu-west-1:123456789012:chatbot-alerts-P1")'.length);
  });

  it('a role is charged only the policies attached to it', () => {
    const { all } = measure('iam-role-inline-policies', 0);
    const other = all.find((m) => m.quota.id === 'iam-role-inline-policies' && m.logicalId === 'Other')!;
    assert.ok(other.value > 9_000 && other.value < 10_240, String(other.value));
  });
});

/** An app with the quota guard, which fails synth with the full report in the error (in-memory mode). */
function guardedApp(name: string): App {
  const app = new App({ outdir: join(workdir, name), context: { [CDK_APP_MODE_CONTEXT]: 'inmemory' } });
  Validations.of(app).addPlugins(new QuotaGuard());
  return app;
}

/** A managed policy granting sns:Publish on `topics` topic ARNs built from tokens (partition, region, account). */
function managedPolicy(stack: Stack, topics: number): iam.ManagedPolicy {
  return new iam.ManagedPolicy(stack, 'Publish', {
    statements: [
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        resources: Array.from({ length: topics }, (_, i) => stack.formatArn({ service: 'sns', resource: `chatbot-service-${i}-pages` })),
      }),
    ],
  });
}

describe('quota guard at synth (CDK policy validation plugin)', () => {
  it('stops synth on a managed policy over 6,144 characters, naming the quota, value, resource and size', () => {
    // GIVEN 120 topic ARNs of ~60 characters each once CloudFormation resolves the tokens
    const app = guardedApp('over');
    const stack = new Stack(app, 'Over', { env: ENV });
    const policyId = stack.getLogicalId(managedPolicy(stack, 120).node.defaultChild as iam.CfnManagedPolicy);
    // WHEN / THEN
    assert.throws(
      () => app.synth(),
      (error: Error) => {
        assert.match(error.message, /iam-managed-policy-size/);
        assert.match(error.message, /6,144 characters \(whitespace excluded\)/);
        assert.ok(error.message.includes(`Over/${policyId}`), error.message);
        assert.match(error.message, /measures [\d,]+ characters/);
        return true;
      },
    );
  });

  it('lets a policy that fits through', () => {
    const app = guardedApp('fits');
    managedPolicy(new Stack(app, 'Fits', { env: ENV }), 20);
    assert.doesNotThrow(() => app.synth());
  });

  it('cannot be acknowledged away: CloudFormation would still fail the deploy', () => {
    const app = guardedApp('ack');
    const stack = new Stack(app, 'Ack', { env: ENV });
    managedPolicy(stack, 120);
    Validations.of(stack).acknowledge({ id: 'AWS-Quotas::iam-managed-policy-size', reason: 'trying' }, { id: 'iam-managed-policy-size', reason: 'trying' });
    assert.throws(() => app.synth(), /iam-managed-policy-size/);
  });
});

describe('the real environments', () => {
  for (const env of ['default', 'staging']) {
    it(`${env}: passes the guard, which buildApp registers; the summary reports each quota's tightest resource`, () => {
      // GIVEN the environment as `npm run synth` builds it (minus the slow checks this test is not about)
      const built = buildApp({ config: loadEnvironment(env), nag: false, appProps: { outdir: join(workdir, env), builtinCloudFormationValidation: false } });
      // WHEN
      const assembly = built.app.synth();
      // THEN
      const headroom = quotaHeadroom(assembly);
      for (const h of headroom) assert.ok(h.percentUsed <= 100, `${h.quota.id}: ${h.percentUsed}%`);
      assert.ok(headroom.find((h) => h.quota.id === 'iam-role-inline-policies')?.tightest, 'roles are measured');
      assert.equal(formatHeadroom(headroom).length, QUOTAS.length);
    });
  }

  it('a breach added to an app from buildApp stops its synth (the guard is on every synth path)', () => {
    const built = buildApp({
      config: loadEnvironment('default'),
      nag: false,
      appProps: { outdir: join(workdir, 'breach'), builtinCloudFormationValidation: false, context: { [CDK_APP_MODE_CONTEXT]: 'inmemory' } },
    });
    managedPolicy(built.core, 150);
    assert.throws(() => built.app.synth(), /iam-managed-policy-size/);
  });
});

describe('docs/deploy.md#quotas', () => {
  it('lists every quota with its AWS value and source, as the table in code has them', () => {
    const page = readFileSync(join(__dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');
    for (const q of QUOTAS) assert.ok(page.includes(`| \`${q.id}\` | ${q.limits} ${q.per} | ${formatLimit(q)} | [${q.source.page}](${q.source.url}) |`), q.id);
  });
});
