import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Config, ServiceConfig } from '../../lib/core/config/schema';
import { resolveIntrinsics, rolePolicies, UNRESOLVED_ARN, type Deployment, type NamedPolicy } from '../support/iam-policies';
import { config, fleetConfig } from '../support/config';
import { synth } from '../support/synth';

/**
 * What the roles' policies allow, by policy evaluation (@cloud-copilot/iam-simulate) rather than by reading their
 * JSON: in both `automation.targetScope` modes, the responder changes its configured targets and nothing else, the
 * escalation's pager and verifier change nothing, and the reads the mitigations need are allowed. A planted
 * widened statement shows the same evaluation allowing what the denials deny, so they cannot pass vacuously.
 */

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const OTHER_REGION = 'eu-west-3';
const MUTATING = ['ecs:UpdateService', 'rds:ModifyDBInstance', 'ssm:PutParameter'] as const;

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

interface Request {
  readonly action: string;
  readonly resource: string;
  /** The resource's tags, as `aws:ResourceTag/<key>` context keys. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Other request context keys (a service's own condition keys). */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * Evaluates one request of a role. The principal is in the resource's account: a cross-account request would be
 * denied for want of a resource policy (ECS services and SSM parameters have none) whatever the role allows, and
 * the question here is what the role's own policies name.
 */
async function evaluate(policies: readonly NamedPolicy[], { action, resource, tags = {}, context = {} }: Request): Promise<Result> {
  const accountId = resource.split(':')[4]!;
  const result = await runSimulation(
    {
      request: { principal: `arn:aws:iam::${accountId}:role/under-test`, action, resource: { resource, accountId }, contextVariables: { ...tags, ...context } },
      identityPolicies: policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  // A request the simulator cannot evaluate (an action that takes no such resource) is a broken test, not a denial.
  if (!('overallResult' in result) || !result.overallResult) assert.fail(`no result for ${action} on ${resource}: ${JSON.stringify(result)}`);
  return result.overallResult as Result;
}

/** The ARNs the tests ask about, for one configured service with a database: its targets and their look-alikes. */
function targetsOf(cfg: Config, at: Deployment, svc: ServiceConfig) {
  const arn = (service: string, resource: string, region = at.region, account = at.accountId) =>
    `arn:${at.partition}:${service}:${region}:${account}:${resource}`;
  const { cluster, service } = svc.ecs;
  const db = svc.rds!.instanceId;
  const flags = [cfg.ssm.fallbackMode, cfg.ssm.rateLimit, cfg.ssm.aiFeatureFlag];
  const tagKey = `aws:ResourceTag/${cfg.automation.targetTagKey}`;
  return {
    tagged: { [tagKey]: cfg.prefix },
    foreignTag: { [tagKey]: `${cfg.prefix}-other` },
    service: arn('ecs', `service/${cluster}/${service}`),
    db: arn('rds', `db:${db}`),
    flags: flags.map((f) => arn('ssm', `parameter${f}`)),
    deployment: arn('ecs', `service-deployment/${cluster}/${service}/dEpLoYmEnT1`),
    revision: arn('ecs', `service-revision/${cluster}/${service}/rEvIsIoN1`),
    /** Look-alikes of the targets that are not ours, by name, region or account. */
    foreign: {
      'another service in the same cluster': arn('ecs', `service/${cluster}/not-configured`),
      'the same service in another region': arn('ecs', `service/${cluster}/${service}`, OTHER_REGION),
      'the same service in another account': arn('ecs', `service/${cluster}/${service}`, at.region, OTHER_ACCOUNT),
      'another RDS instance': arn('rds', 'db:not-configured'),
      'the same RDS instance in another account': arn('rds', `db:${db}`, at.region, OTHER_ACCOUNT),
      'another SSM parameter': arn('ssm', 'parameter/not-configured'),
      'a flag in another region': arn('ssm', `parameter${flags[0]!}`, OTHER_REGION),
    },
  };
}

/** The action that changes a resource of the ARN's service. */
const mutationOf = (arn: string) =>
  ({ ecs: 'ecs:UpdateService', rds: 'rds:ModifyDBInstance', ssm: 'ssm:PutParameter' })[arn.split(':')[2] as 'ecs' | 'rds' | 'ssm'];

function rolesOf(cfg: Config, at: Deployment) {
  const template = synth(cfg).templates.get(`${cfg.prefix}-alerting`)!.toJSON() as Parameters<typeof rolePolicies>[0];
  const role = (prefix: string) => {
    const found = rolePolicies(template, prefix, at);
    assert.ok(found.policies.length > 0, `${prefix} has no policy`);
    assert.deepEqual(found.external, [], `${prefix} has managed policies whose content the template does not hold`);
    return found.policies;
  };
  return { responder: role('ResponderRole'), pager: role('EscalationPagerRole'), verifier: role('EscalationVerifierRole') };
}

describe('iam-policies helper', () => {
  const at: Deployment = { partition: 'aws', region: 'us-east-1', accountId: ACCOUNT };
  it('resolves pseudo parameters and Fn::Join, deeply', () => {
    const join = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':service/*']] };
    assert.deepEqual(resolveIntrinsics({ Statement: [{ Resource: [join], Condition: { StringEquals: { k: { Ref: 'AWS::Region' } } } }] }, at), {
      Statement: [{ Resource: [`arn:aws:ecs:us-east-1:${ACCOUNT}:service/*`], Condition: { StringEquals: { k: 'us-east-1' } } }],
    });
  });
  it('turns what it cannot know into the placeholder, a whole ARN at a time', () => {
    assert.equal(resolveIntrinsics({ 'Fn::GetAtt': ['Table', 'Arn'] }, at), UNRESOLVED_ARN);
    assert.equal(resolveIntrinsics({ Ref: 'SomeResource' }, at), UNRESOLVED_ARN);
    assert.equal(resolveIntrinsics({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] }, at), UNRESOLVED_ARN);
    assert.equal(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:x' }, at), UNRESOLVED_ARN);
  });
  it('finds inline and managed policies attached either way, and reports managed ones not in the template', () => {
    const doc = (sid: string) => ({ Statement: [{ Sid: sid, Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: '*' }] });
    const template = {
      Resources: {
        TheRole1: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'ByArn' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess'] } },
        Other: { Type: 'AWS::IAM::Role', Properties: {} },
        Inline: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'TheRole1' }], PolicyDocument: doc('inline') } },
        ByRoles: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'TheRole1' }], PolicyDocument: doc('byRoles') } },
        ByArn: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc('byArn') } },
        NotOurs: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Other' }], PolicyDocument: doc('other') } },
      },
    };
    const found = rolePolicies(template, 'TheRole', at);
    assert.deepEqual(found.policies.map((p) => p.name).sort(), ['ByArn', 'ByRoles', 'Inline']);
    assert.deepEqual(found.external, ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    assert.deepEqual(Object.fromEntries(found.policies.map((p) => [p.name, p.kind])), { Inline: 'inline', ByRoles: 'managed', ByArn: 'managed' });
    assert.throws(() => rolePolicies(template, 'Nope', at), /0 roles start with Nope/);
  });
});

const MODES: readonly {
  name: string;
  cfg: () => Config /** The service asked about. @default the first with a database */;
  pick?: (cfg: Config) => ServiceConfig;
  overflow?: true;
}[] = [
  { name: "default config (targetScope 'resources')", cfg: () => config() },
  { name: "fleet of 5 services (targetScope 'tags')", cfg: () => fleetConfig(5, 'tags') },
  // 20 services' ARNs overflow the responder's inline policy: CDK moves whole statements to managed policies.
  {
    name: "fleet of 20 services (targetScope 'resources'), grants in overflow managed policies",
    cfg: () => fleetConfig(20, 'resources'),
    pick: (cfg) => cfg.services.findLast((s) => s.rds)!,
    overflow: true,
  },
];

for (const mode of MODES) {
  describe(`IAM by evaluation: ${mode.name}`, () => {
    const cfg = mode.cfg();
    const tags = cfg.automation.targetScope === 'tags';
    const at: Deployment = { partition: 'aws', region: cfg.region, accountId: ACCOUNT };
    const roles = rolesOf(cfg, at);
    const t = targetsOf(cfg, at, mode.pick?.(cfg) ?? cfg.services.find((s) => s.rds)!);
    // In tags mode a target is what carries the tag; in resources mode the tag changes nothing, so it is always set.
    const ours = t.tagged;

    it('the responder may change each configured target', async () => {
      for (const resource of [t.service, t.db, ...t.flags]) {
        assert.equal(await evaluate(roles.responder, { action: mutationOf(resource), resource, tags: ours }), 'Allowed', resource);
      }
    });

    it('the responder may change nothing that only looks like a target (name, region, account)', async () => {
      for (const [what, resource] of Object.entries(t.foreign)) {
        // Another service or database of the same account and region is ours in tags mode if it carries the tag
        // (that is the point of tags); here it does not. Elsewhere even the tag does not help.
        const sameAccountAndRegion = resource.includes(`:${at.region}:${ACCOUNT}:`);
        const context = tags && sameAccountAndRegion ? {} : ours;
        assert.equal(await evaluate(roles.responder, { action: mutationOf(resource), resource, tags: context }), 'ImplicitlyDenied', what);
      }
    });

    if (tags) {
      it('tags mode: the configured service and database without the tag, or with another prefix, are denied', async () => {
        for (const resource of [t.service, t.db]) {
          assert.equal(await evaluate(roles.responder, { action: mutationOf(resource), resource }), 'ImplicitlyDenied', `${resource} untagged`);
          assert.equal(
            await evaluate(roles.responder, { action: mutationOf(resource), resource, tags: t.foreignTag }),
            'ImplicitlyDenied',
            `${resource} tagged for another prefix`,
          );
        }
      });

      it('tags mode: any service or database of the account and region tagged with the prefix is a target', async () => {
        const other = t.foreign['another service in the same cluster'];
        assert.equal(await evaluate(roles.responder, { action: 'ecs:UpdateService', resource: other, tags: ours }), 'Allowed');
      });

      it('tags mode: the responder may read the tags of untagged services and databases (its run-time check)', async () => {
        assert.equal(await evaluate(roles.responder, { action: 'ecs:ListTagsForResource', resource: t.service }), 'Allowed');
        assert.equal(await evaluate(roles.responder, { action: 'rds:ListTagsForResource', resource: t.db }), 'Allowed');
      });
    }

    it('the responder may make the reads the mitigations need on the configured targets', async () => {
      const reads: Request[] = [
        { action: 'ecs:DescribeServices', resource: t.service, tags: ours },
        { action: 'ecs:ListServiceDeployments', resource: t.service, tags: ours },
        { action: 'ecs:DescribeServiceDeployments', resource: t.deployment },
        { action: 'ecs:DescribeServiceRevisions', resource: t.revision },
        { action: 'rds:DescribeDBInstances', resource: t.db, tags: ours },
        ...t.flags.map((resource) => ({ action: 'ssm:GetParameter', resource })),
      ];
      for (const read of reads) assert.equal(await evaluate(roles.responder, read), 'Allowed', `${read.action} on ${read.resource}`);
    });

    it("ecs-scale-out may update the ECS desired-count scalable targets of the stack's account and region, and no other", async () => {
      const target = (region: string, account: string) =>
        `arn:aws:application-autoscaling:${region}:${account}:scalable-target/0123456789abcdef0123456789abcdef`;
      const ecs = { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' };
      const register = (resource: string, context: Record<string, string>) =>
        evaluate(roles.responder, { action: 'application-autoscaling:RegisterScalableTarget', resource, context });
      assert.equal(await register(target(at.region, ACCOUNT), ecs), 'Allowed');
      assert.equal(
        await register(target(at.region, ACCOUNT), {
          'application-autoscaling:service-namespace': 'dynamodb',
          'application-autoscaling:scalable-dimension': 'dynamodb:table:ReadCapacityUnits',
        }),
        'ImplicitlyDenied',
        'a DynamoDB table',
      );
      assert.equal(await register(target(OTHER_REGION, ACCOUNT), ecs), 'ImplicitlyDenied', 'another region');
      assert.equal(await register(target(at.region, OTHER_ACCOUNT), ecs), 'ImplicitlyDenied', 'another account');
      for (const name of ['pager', 'verifier'] as const) {
        const asked = { action: 'application-autoscaling:RegisterScalableTarget', resource: target(at.region, ACCOUNT), context: ecs };
        assert.equal(await evaluate(roles[name], asked), 'ImplicitlyDenied', name);
      }
    });

    for (const name of ['pager', 'verifier'] as const) {
      it(`the escalation ${name} may change nothing, and may read the configured services`, async () => {
        // Each mutating action on every ARN of its resource type (the only requests AWS can make of it).
        const asked = new Set<string>();
        for (const resource of [t.service, t.db, ...t.flags, ...Object.values(t.foreign)]) {
          const action = mutationOf(resource);
          asked.add(action);
          assert.equal(await evaluate(roles[name], { action, resource, tags: ours }), 'ImplicitlyDenied', `${action} on ${resource}`);
        }
        assert.deepEqual([...asked].sort(), [...MUTATING].sort());
        assert.equal(await evaluate(roles[name], { action: 'ecs:DescribeServices', resource: t.service, tags: ours }), 'Allowed');
      });
    }

    if (mode.overflow) {
      it('the managed policies count: some changes of configured targets are granted by them alone', async () => {
        const inline = roles.responder.filter((p) => p.kind === 'inline');
        assert.ok(inline.length > 0 && inline.length < roles.responder.length, roles.responder.map((p) => `${p.name} (${p.kind})`).join(', '));
        const onlyManaged: string[] = [];
        for (const resource of [t.service, t.db, ...t.flags]) {
          if ((await evaluate(inline, { action: mutationOf(resource), resource })) !== 'Allowed') onlyManaged.push(resource);
        }
        assert.ok(onlyManaged.length > 0, 'every change is granted inline: this case no longer exercises the managed policies');
      });
    }

    it('the denials are meaningful: a planted UpdateService on service/* without condition is allowed on the look-alikes', async () => {
      const planted: NamedPolicy = {
        name: 'Planted',
        policy: { Version: '2012-10-17', Statement: [{ Sid: 'Widened', Effect: 'Allow', Action: 'ecs:UpdateService', Resource: 'arn:aws:ecs:*:*:service/*' }] },
      };
      const widened = [...roles.responder, planted];
      const lookAlikes = ['another service in the same cluster', 'the same service in another region', 'the same service in another account'] as const;
      for (const what of lookAlikes) {
        const resource = t.foreign[what];
        assert.equal(await evaluate(roles.responder, { action: 'ecs:UpdateService', resource }), 'ImplicitlyDenied', what);
        assert.equal(await evaluate(widened, { action: 'ecs:UpdateService', resource }), 'Allowed', what);
      }
      if (tags) assert.equal(await evaluate(widened, { action: 'ecs:UpdateService', resource: t.service }), 'Allowed', 'untagged, under the planted statement');
      assert.equal(await evaluate([...roles.pager, planted], { action: 'ecs:UpdateService', resource: t.service }), 'Allowed', 'the pager, planted');
    });
  });
}
