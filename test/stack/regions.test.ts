import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CDK_APP_MODE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../lib/infra/app';
import { UNSCOPABLE_READ_ACTIONS } from '../../lib/infra/constructs/responder-policy';
import { quotaHeadroom } from '../../lib/infra/quotas/headroom';
import { formatSummary, summarize } from '../../lib/infra/synth-summary';
import { ConfigError } from '../../lib/core/errors';
import type { Config } from '../../lib/core/config/schema';
import { loadEnvironment } from '../../lib/core/config/environment';
import { config, HOME_SERVICE } from '../support/config';
import { synth } from '../support/synth';

const workdir = mkdtempSync(join(tmpdir(), 'alerting-regions-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const service = HOME_SERVICE;
const REGIONAL = 'chatbot-alerting-us-west-2';
const ALARM = 'chatbot-HighAPIErrorRate-chatbot-api';
/** The default environment (home us-east-1, serving us-east-1 and us-west-2) with its service in both regions. */
const inBothRegions = (): Config => config({ account: '123456789012', services: [{ ...service, regions: ['us-east-1', 'us-west-2'] }] });

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (template: { toJSON(): unknown }): Record<string, Resource> => (template.toJSON() as { Resources: Record<string, Resource> }).Resources;

describe('a service in a serving region outside the home one', () => {
  const synthesized = synth(inBothRegions());
  const regional = synthesized.templates.get(REGIONAL);

  it('gets a stack in that region, after the home stacks and deployed after the core stack', () => {
    // THEN
    assert.ok(regional, [...synthesized.templates.keys()].join(', '));
    assert.deepEqual([...synthesized.templates.keys()], ['chatbot-alerting', 'chatbot-alarms-0', REGIONAL]);
    const [stack] = synthesized.built.regionalStacks;
    assert.equal(stack!.region, 'us-west-2');
    assert.equal(stack!.account, '123456789012');
    assert.deepEqual(
      stack!.dependencies.map((d) => d.stackName),
      ['chatbot-alerting'],
    );
  });

  it("its alarms notify that stack's own severity topics", () => {
    // GIVEN
    const own = resources(regional!);
    const alarm = Object.values(own).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === ALARM);
    assert.ok(alarm, `${ALARM} in ${REGIONAL}`);
    // THEN every action is a Ref to a topic of this template (a home topic would be an ARN in us-east-1)
    const actions = [...(alarm.Properties.AlarmActions as unknown[]), ...(alarm.Properties.OKActions as unknown[])];
    assert.ok(actions.length > 0);
    for (const action of actions) {
      const ref = (action as { Ref?: string }).Ref;
      assert.equal(own[ref ?? '']?.Type, 'AWS::SNS::Topic', JSON.stringify(action));
      assert.ok(own[ref!]!.Properties.KmsMasterKeyId, 'encrypted like the home topics');
    }
    // the service's alarms and those of the region's own responder: the other environment-wide ones stay at home
    const names = Object.values(own)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => String(r.Properties.AlarmName));
    assert.deepEqual(
      names.filter((name) => !name.endsWith('-chatbot-api')),
      ['chatbot-ResponderErrors', 'chatbot-ResponderDeadLetters'],
    );
  });

  it("watches its own responder: errors of that region's function, messages in that region's dead-letter queue", () => {
    const own = resources(regional!);
    const alarm = (name: string) => Object.values(own).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === name)!.Properties;
    assert.deepEqual(alarm('chatbot-ResponderErrors').Dimensions, [{ Name: 'FunctionName', Value: 'chatbot-responder' }]);
    assert.deepEqual(alarm('chatbot-ResponderDeadLetters').Dimensions, [{ Name: 'QueueName', Value: 'chatbot-responder-dlq' }]);
    const functions = Object.values(own).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'chatbot-responder');
    const queues = Object.values(own).filter((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.QueueName === 'chatbot-responder-dlq');
    assert.deepEqual([functions.length, queues.length], [1, 1], 'the function and the queue they watch are in this stack');
  });

  it("forwards the prefix's ALARM and OK changes to the home region's default bus, with a role that may only put events there", () => {
    // GIVEN
    const own = resources(regional!);
    const rules = Object.values(own).filter((r) => r.Type === 'AWS::Events::Rule');
    assert.equal(rules.length, 1);
    const props = rules[0]!.Properties as { EventPattern: unknown; Targets: { Arn: unknown; RoleArn: { 'Fn::GetAtt': [string, string] } }[] };
    const homeBus = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']] };
    // THEN
    assert.deepEqual(props.EventPattern, {
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [{ prefix: 'chatbot-' }], state: { value: ['ALARM', 'OK'] } },
    });
    assert.equal(props.Targets.length, 1);
    assert.deepEqual(props.Targets[0]!.Arn, homeBus);
    const roleId = props.Targets[0]!.RoleArn['Fn::GetAtt'][0];
    assert.deepEqual((own[roleId]!.Properties.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement, [
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } },
    ]);
    const policies = Object.values(own).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`));
    assert.equal(policies.length, 1);
    assert.deepEqual(policies[0]!.Properties.Roles, [{ Ref: roleId }]);
    assert.deepEqual((policies[0]!.Properties.PolicyDocument as { Statement: unknown[] }).Statement, [
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: homeBus },
    ]);
  });

  it('leaves the home stacks as they are without regions on the service', () => {
    // GIVEN the same environment, the service naming no regions
    const home = synth(config({ account: '123456789012', services: [service] }));
    // THEN
    assert.deepEqual([...home.templates.keys()], ['chatbot-alerting', 'chatbot-alarms-0']);
    for (const [name, template] of home.templates) assert.deepEqual(synthesized.templates.get(name)!.toJSON(), template.toJSON(), name);
  });
});

describe('the responder of a regional stack', () => {
  // GIVEN chatbot-api in both regions, and billing-api (its own ECS service and database) in the home region only
  const billing = { ...service, name: 'billing-api', ecs: { cluster: 'prod', service: 'billing-api' }, rds: { instanceId: 'billing-db', maxConnections: 500 } };
  const synthesized = synth(config({ account: '123456789012', services: [{ ...service, regions: ['us-east-1', 'us-west-2'] }, billing] }));
  const own = resources(synthesized.templates.get(REGIONAL)!);
  const home = resources(synthesized.templates.get('chatbot-alerting')!);
  const responderOf = (template: Record<string, Resource>) =>
    Object.entries(template).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'chatbot-responder')!;
  const [functionId, fn] = responderOf(own);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statementsOfRole = () =>
    Object.values(own)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
  const HOME_SILENCES = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:us-east-1:123456789012:table/chatbot-alerting-audit/index/byTime']] };
  const lambdaSubscriptions = (template: Record<string, Resource>, id: string) =>
    Object.values(template).filter((r) => r.Type === 'AWS::SNS::Subscription' && JSON.stringify(r.Properties.Endpoint).includes(`"${id}"`));

  it("is subscribed to the stack's own severity topics, those the home responder is subscribed to", () => {
    const subscribed = lambdaSubscriptions(own, functionId).map((r) => (r.Properties.TopicArn as { Ref: string }).Ref);
    const homeSubscribed = lambdaSubscriptions(home, responderOf(home)[0]).map((r) => (r.Properties.TopicArn as { Ref: string }).Ref);
    assert.ok(subscribed.length > 0);
    assert.deepEqual(subscribed.map((ref) => own[ref]!.Properties.TopicName).sort(), homeSubscribed.map((ref) => home[ref]!.Properties.TopicName).sort());
  });

  it("announces on its region's on-call primary topic, encrypted and subscribed like the home one, and verifies nothing yet", () => {
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.equal(variables.VERIFY_STATE_MACHINE_ARN, undefined);
    const announce = own[(variables.ANNOUNCE_TOPIC_ARN as { Ref: string }).Ref]!;
    assert.equal(announce.Type, 'AWS::SNS::Topic');
    assert.equal(announce.Properties.TopicName, 'chatbot-page-on-call-primary');
    assert.ok(announce.Properties.KmsMasterKeyId);
    const emails = (template: Record<string, Resource>, topic: string) =>
      Object.values(template)
        .filter((r) => r.Type === 'AWS::SNS::Subscription' && r.Properties.Protocol === 'email' && JSON.stringify(r.Properties.TopicArn).includes(`"${topic}"`))
        .map((r) => r.Properties.Endpoint);
    const homeTopic = Object.keys(home).find((id) => home[id]!.Properties.TopicName === 'chatbot-page-on-call-primary')!;
    assert.deepEqual(emails(own, (variables.ANNOUNCE_TOPIC_ARN as { Ref: string }).Ref), emails(home, homeTopic));
    assert.deepEqual(emails(own, (variables.ANNOUNCE_TOPIC_ARN as { Ref: string }).Ref), ['oncall-primary@example.com']);
  });

  it('has its own audit table and dead-letter queue in its region', () => {
    const tables = Object.values(own).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    const queues = Object.values(own).filter((r) => r.Type === 'AWS::SQS::Queue');
    assert.equal(tables.length, 1);
    assert.equal(queues.length, 1);
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.equal(own[(variables.AUDIT_TABLE as { Ref: string }).Ref]!.Type, 'AWS::DynamoDB::Table');
  });

  /** A part of a joined ARN: the partition, or a resource of this template (`local:<id>`, e.g. the table's index). */
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    if (JSON.stringify(p) === '{"Ref":"AWS::Partition"}') return 'aws';
    const id = (p as { Ref?: string }).Ref ?? (p as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    assert.ok(own[id], JSON.stringify(p));
    return `local:${id}`;
  };

  it("reads the home region's silences: a query of the home audit table's time index, and nothing else there", () => {
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.equal(variables.SILENCES_REGION, 'us-east-1');
    const home = statementsOfRole().filter((s) => JSON.stringify(s.Resource).includes(':us-east-1:'));
    assert.deepEqual(home, [{ Action: 'dynamodb:Query', Effect: 'Allow', Resource: HOME_SILENCES }]);
  });

  it("names in its IAM only its region's resources, of the services running there", () => {
    const statements = statementsOfRole().filter((s) => JSON.stringify(s.Resource) !== JSON.stringify(HOME_SILENCES));
    assert.ok(statements.length > 0);
    for (const statement of statements) {
      for (const resource of [statement.Resource].flat()) {
        const text = JSON.stringify(resource);
        // A Ref or GetAtt of this template is a resource of this stack, so of its region (table, topics, key, queue).
        if (typeof resource === 'object' && resource !== null && !('Fn::Join' in resource)) continue;
        // `*` only for reads AWS gives no resource-level permission (responder-policy.ts's UNSCOPABLE_READ_ACTIONS).
        if (resource === '*') {
          assert.deepEqual([statement.Action].flat().sort(), Object.keys(UNSCOPABLE_READ_ACTIONS).sort());
          continue;
        }
        // Every ARN it names is in us-west-2 and this account: ECS, RDS, SSM, CloudWatch, CodeDeploy and
        // Application Auto Scaling are regional, and the responder names no global (region-less) resource.
        const flat = typeof resource === 'string' ? resource : (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(part).join('');
        if (flat.startsWith('local:')) continue;
        assert.match(flat, /^arn:aws:[a-z-]+:us-west-2:123456789012:/, text);
        assert.doesNotMatch(flat, /billing/, text);
      }
    }
    const ecsServices = statements
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r))
      .filter((r) => r.includes(':ecs:') && r.includes(':service/'));
    assert.ok(ecsServices.length > 0 && ecsServices.every((r) => r.includes('service/prod/chatbot-api')), ecsServices.join('\n'));
    // while the home responder acts on both services
    assert.match(JSON.stringify(home), /service\/prod\/billing-api/);
  });
});

describe('a service named differently in its second region (services[].regional)', () => {
  // GIVEN chatbot-api's load balancer, cluster and database have their own names in us-west-2
  const west = {
    ecs: { cluster: 'prod-west', service: 'chatbot-api' },
    rds: { instanceId: 'chatbot-db-west' },
    api: { kind: 'alb' as const, loadBalancer: 'app/chatbot-api/0123456789abcdef' },
  };
  const synthesized = synth(
    config({ account: '123456789012', services: [{ ...service, regions: ['us-east-1', 'us-west-2'], regional: { 'us-west-2': west } }] }),
  );
  const own = resources(synthesized.templates.get(REGIONAL)!);
  const everywhere = JSON.stringify(own);
  const alarmOf = (template: Record<string, Resource>) =>
    JSON.stringify(Object.values(template).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === ALARM)!.Properties);

  it("alarms on that region's load balancer and database, the home stacks on the home ones", () => {
    // THEN
    assert.match(alarmOf(own), /app\/chatbot-api\/0123456789abcdef/);
    assert.doesNotMatch(alarmOf(own), /50dc6c495c0c9188/);
    assert.match(alarmOf(resources(synthesized.templates.get('chatbot-alarms-0')!)), /app\/chatbot-api\/50dc6c495c0c9188/);
    const dbAlarm = Object.values(own).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties).includes('DBInstanceIdentifier'));
    assert.match(JSON.stringify(dbAlarm?.Properties), /"chatbot-db-west"/);
  });

  it("lets that region's responder act on that region's cluster and database only", () => {
    assert.match(everywhere, /service\/prod-west\/chatbot-api/);
    assert.match(everywhere, /:db:chatbot-db-west"/);
    assert.doesNotMatch(everywhere, /service\/prod\/chatbot-api|:db:chatbot-db"/);
  });
});

describe('a service that does not run in the home region', () => {
  it('has its alarms in its region only, and the other services keep their alarm stacks', () => {
    // GIVEN one service per alarm stack, the first running in us-west-2 only
    const services = [
      { ...service, name: 'west', regions: ['us-west-2'] },
      { ...service, name: 'home' },
    ];
    const both = synth(config({ services: services.map(({ regions: _, ...s }) => s), maxAlarmsPerStack: 20 }));
    // WHEN
    const split = synth(config({ services, maxAlarmsPerStack: 20 }));
    // THEN the home alarms of 'west' are gone (UsageDrop would page on its absent traffic) and 'home' has not moved
    assert.deepEqual([...both.templates.keys()], ['chatbot-alerting', 'chatbot-alarms-0', 'chatbot-alarms-1']);
    assert.deepEqual([...split.templates.keys()], ['chatbot-alerting', 'chatbot-alarms-1', REGIONAL]);
    assert.deepEqual(split.templates.get('chatbot-alarms-1')!.toJSON(), both.templates.get('chatbot-alarms-1')!.toJSON());
    const alarmNames = (template: { toJSON(): unknown }) =>
      Object.values(resources(template))
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((r) => String(r.Properties.AlarmName));
    const west = alarmNames(split.templates.get(REGIONAL)!).filter((name) => !/-Responder(Errors|DeadLetters)$/.test(name));
    assert.ok(west.length > 0 && west.every((name) => name.endsWith('-west')), west.join(', '));
    assert.deepEqual(west.sort(), alarmNames(both.templates.get('chatbot-alarms-0')!).sort());
  });
});

describe('checks at synth of a regional stack', () => {
  it('passes cdk-nag and the quota guard', () => {
    // GIVEN the app as `npm run synth` builds it, nag and quota guard on (minus bundling and CDK's own validation)
    const cfg = inBothRegions();
    const built = buildApp({
      config: cfg,
      appProps: {
        outdir: join(workdir, 'checks'),
        builtinCloudFormationValidation: false,
        context: { [CDK_APP_MODE_CONTEXT]: 'inmemory', 'aws:cdk:bundling-stacks': [] },
      },
    });
    // WHEN
    const assembly = built.app.synth();
    // THEN
    assert.ok(assembly.getStackByName(REGIONAL));
    for (const h of quotaHeadroom(assembly)) assert.ok(h.percentUsed <= 100, `${h.quota.id}: ${h.percentUsed}%`);
    // and `npm run synth` lists the regional stack with its region, its alarms counted
    const summary = summarize(cfg, built, assembly);
    assert.deepEqual(
      summary.stacks.map((s) => [s.name, s.region]),
      [
        ['chatbot-alerting', 'us-east-1'],
        ['chatbot-alarms-0', 'us-east-1'],
        [REGIONAL, 'us-west-2'],
      ],
    );
    assert.match(formatSummary(summary), new RegExp(`${REGIONAL} +\\d+ resources +[\\d.]+ KiB +us-west-2`));
    const deployed = assembly.stacks.flatMap((stack) =>
      Object.values((stack.template as { Resources: Record<string, { Type: string }> }).Resources).filter(
        (r) => r.Type.startsWith('AWS::CloudWatch::') && r.Type.endsWith('Alarm'),
      ),
    );
    assert.equal(summary.totalAlarms, deployed.length);
  });

  it('fails clearly when the region holds more alarms than one stack takes', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ ...service, name: `svc-${i}`, regions: ['us-west-2'] }));
    assert.throws(
      () => synth(config({ services: many, maxAlarmsPerStack: 100 })),
      /chatbot-alerting-us-west-2: \d+ alarms in us-west-2, over maxAlarmsPerStack \(100\)/,
    );
  });
});

describe('a service in another account (production and staging apart)', () => {
  const STAGING = '210987654321';
  const cfg = config({
    account: '123456789012',
    services: [service, { ...service, name: 'staging-api', account: STAGING, regions: ['us-east-1', 'us-west-2'] }],
  });
  const synthesized = synth(cfg);

  it('gets a stack per region in its account, forwarding to the home bus of the environment account', () => {
    // THEN one stack per region of that account, the home region included, after the home stacks
    assert.deepEqual(
      [...synthesized.templates.keys()],
      ['chatbot-alerting', 'chatbot-alarms-0', `chatbot-alerting-${STAGING}-us-east-1`, `chatbot-alerting-${STAGING}-us-west-2`],
    );
    assert.deepEqual(
      synthesized.built.regionalStacks.map((stack) => [stack.account, stack.region]),
      [
        [STAGING, 'us-east-1'],
        [STAGING, 'us-west-2'],
      ],
    );
    for (const stack of synthesized.built.regionalStacks) {
      const own = resources(synthesized.templates.get(stack.stackName)!);
      const names = Object.values(own)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((r) => String(r.Properties.AlarmName))
        .filter((name) => !/-Responder(Errors|DeadLetters)$/.test(name));
      assert.ok(names.length > 0 && names.every((name) => name.endsWith('-staging-api')), names.join(', '));
      const rule = Object.values(own).find((r) => r.Type === 'AWS::Events::Rule')!;
      assert.deepEqual((rule.Properties.Targets as { Arn: unknown }[])[0]!.Arn, {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']],
      });
      // its responder cannot read the home table of another account: it obeys its own table's silences
      assert.doesNotMatch(JSON.stringify(own), /SILENCES_REGION|:dynamodb:us-east-1:123456789012:/);
    }
    // and the home alarm stack has none of its alarms
    const home = Object.values(resources(synthesized.templates.get('chatbot-alarms-0')!)).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    assert.ok(home.every((r) => String(r.Properties.AlarmName).endsWith('-chatbot-api')));
  });

  it("lets that account put CloudWatch's alarm state changes, and nothing else, on the home bus", () => {
    const policies = Object.values(resources(synthesized.templates.get('chatbot-alerting')!)).filter((r) => r.Type === 'AWS::Events::EventBusPolicy');
    assert.equal(policies.length, 1);
    const { EventBusName, Statement } = policies[0]!.Properties as { EventBusName: string; Statement: Record<string, unknown> };
    assert.equal(EventBusName, 'default');
    assert.deepEqual(Statement.Principal, { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${STAGING}:root`]] } });
    assert.equal(Statement.Action, 'events:PutEvents');
    assert.deepEqual(Statement.Condition, { StringEquals: { 'events:source': 'aws.cloudwatch', 'events:detail-type': 'CloudWatch Alarm State Change' } });
    // an environment whose services all run in its own account opens its bus to nobody
    const own = synth(config({ account: '123456789012' })).templates.get('chatbot-alerting')!;
    assert.equal(Object.values(resources(own)).filter((r) => r.Type === 'AWS::Events::EventBusPolicy').length, 0);
  });

  it("needs the environment's own account, which owns the home bus", () => {
    assert.throws(
      () => config({ account: undefined, services: [{ ...service, account: STAGING }] }),
      (error: unknown) =>
        error instanceof ConfigError && error.problems.some((p) => p.field === 'account' && /services\[0\]\.account is 210987654321/.test(p.message)),
    );
  });
});

describe('the multi-account example environment (config/multi-account.ts)', () => {
  it('synthesizes, with cdk-nag and the quota guard, a stack per account and region', () => {
    const built = buildApp({
      config: loadEnvironment('multi-account'),
      appProps: { builtinCloudFormationValidation: false, context: { [CDK_APP_MODE_CONTEXT]: 'inmemory', 'aws:cdk:bundling-stacks': [] } },
    });
    const assembly = built.app.synth();
    const where = new Map(assembly.stacks.map((s) => [s.stackName, `${s.environment.account}/${s.environment.region}`]));
    assert.deepEqual(Object.fromEntries(where), {
      'chatbot-alerting': '111111111111/us-east-1',
      'chatbot-alarms-0': '111111111111/us-east-1',
      'chatbot-alerting-us-west-2': '111111111111/us-west-2',
      'chatbot-alerting-222222222222-us-west-2': '222222222222/us-west-2',
    });
    for (const h of quotaHeadroom(assembly)) assert.ok(h.percentUsed <= 100, `${h.quota.id}: ${h.percentUsed}%`);
  });
});

describe('service regions in the config', () => {
  it('a region the environment does not serve fails naming services[0].regions', () => {
    assert.throws(
      () => config({ services: [{ ...service, regions: ['eu-west-1'] }] }),
      (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.field === 'services[0].regions[0]' && p.received === '"eu-west-1"'),
    );
  });
});
