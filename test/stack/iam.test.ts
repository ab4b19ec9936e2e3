import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { UNSCOPABLE_ACTIONS, UNSCOPABLE_READ_ACTIONS } from '../../lib/infra/constructs/responder-policy';
import { fleetConfig, config } from '../support/config';
import { synth } from '../support/synth';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

type Policy = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] } };

/** The statements of the IAM policies in the core stack, optionally only those of roles whose logical id starts with `role`. */
function statements(cfg = config(), role?: string): Statement[] {
  const core = synth(cfg).templates.get(`${cfg.prefix}-alerting`)!;
  return Object.values(core.findResources('AWS::IAM::Policy') as Record<string, Policy>)
    .filter((p) => role === undefined || p.Properties.Roles.some((r) => r.Ref.startsWith(role)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const READ = /^[a-z0-9-]+:(Describe|Get|List|Query|Scan|BatchGet|ConditionCheck)/;

/** `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":ecs:..."]]}` -> `arn:*:ecs:...` for comparison. */
function flatten(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((p) => (typeof p === 'string' ? p : '*')).join(join[0]);
  return JSON.stringify(resource);
}

describe('IAM of the whole core stack', () => {
  it('has "*" resources only on the listed actions AWS offers no resource-level permission for', () => {
    for (const statement of statements().filter((s) => resourcesOf(s).includes('*'))) {
      for (const action of actionsOf(statement)) assert.ok(action in UNSCOPABLE_ACTIONS, `${action} on "*" is not on the list`);
    }
  });
});

describe('responder IAM', () => {
  const all = statements(config(), 'ResponderRole');

  it('has no "*" resource on any action except the listed unscopable reads', () => {
    assert.ok(all.length > 0);
    for (const statement of all.filter((s) => resourcesOf(s).includes('*'))) {
      for (const action of actionsOf(statement)) {
        assert.ok(action in UNSCOPABLE_READ_ACTIONS, `${action} on "*"`);
        assert.match(action, READ, `${action} is not read-only`);
      }
    }
  });

  it('mutating actions name exactly the configured resources', () => {
    const mutating = (action: string) => all.filter((s) => actionsOf(s).includes(action)).flatMap((s) => resourcesOf(s).map(flatten));
    assert.deepEqual(mutating('ecs:UpdateService'), ['arn:*:ecs:us-east-1:*:service/prod/chatbot-api']);
    assert.deepEqual(mutating('rds:ModifyDBInstance'), ['arn:*:rds:us-east-1:*:db:chatbot-db']);
    assert.deepEqual(mutating('ssm:PutParameter').sort(), [
      'arn:*:ssm:us-east-1:*:parameter/chatbot/fallback-mode',
      'arn:*:ssm:us-east-1:*:parameter/chatbot/rate-limit',
      'arn:*:ssm:us-east-1:*:parameter/feature/ai-model',
    ]);
    for (const statement of all) {
      for (const action of actionsOf(statement).filter((a) => !READ.test(a))) {
        for (const resource of resourcesOf(statement).map(flatten)) {
          assert.notEqual(resource, '*', `${action} on "*"`);
          // The only trailing wildcards allowed on a write: the audit table's own index (CDK's table grant), and the
          // deployment groups of the account and region for ecs-rollback's CodeDeploy stop (the config names none), and the
          // scalable targets, whose ids Application Auto Scaling mints (the test below checks their conditions).
          const index = action.startsWith('dynamodb:') && resource.endsWith('/index/*');
          const deploymentGroups = action === 'codedeploy:StopDeployment' && resource === 'arn:*:codedeploy:us-east-1:*:deploymentgroup:*';
          const scalableTargets = action === 'application-autoscaling:RegisterScalableTarget' && resource.endsWith(':scalable-target/*');
          if (resource.endsWith('*')) assert.ok(index || deploymentGroups || scalableTargets, `${action} on ${resource}`);
        }
      }
    }
  });

  it("ecs-scale-out's scalable-target update: this account and region, ECS desired counts only, and no service-linked role", () => {
    const register = all.filter((s) => actionsOf(s).includes('application-autoscaling:RegisterScalableTarget'));
    assert.deepEqual(
      register.map((s) => [resourcesOf(s).map(flatten), (s as Statement & { Condition?: unknown }).Condition]),
      [
        [
          ['arn:*:application-autoscaling:us-east-1:*:scalable-target/*'],
          { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
        ],
      ],
    );
    assert.equal(all.filter((s) => actionsOf(s).includes('iam:CreateServiceLinkedRole')).length, 0);
  });

  it('the deployment-history reads ecs-rollback needs are scoped to the configured services', () => {
    const on = (action: string) => all.filter((s) => actionsOf(s).includes(action)).flatMap((s) => resourcesOf(s).map(flatten));
    assert.deepEqual(on('ecs:ListServiceDeployments'), ['arn:*:ecs:us-east-1:*:service/prod/chatbot-api']);
    assert.deepEqual(on('ecs:DescribeServiceDeployments'), ['arn:*:ecs:us-east-1:*:service-deployment/prod/chatbot-api/*']);
    assert.deepEqual(on('ecs:DescribeServiceRevisions'), ['arn:*:ecs:us-east-1:*:service-revision/prod/chatbot-api/*']);
    assert.deepEqual(on('ecs:ListTaskDefinitions'), []);
  });

  it("ecs-rollback's CodeDeploy stop of a blue/green deployment: deployment groups of the stack's account and region only", () => {
    const on = (action: string) => all.filter((s) => actionsOf(s).includes(action)).flatMap((s) => resourcesOf(s).map(flatten));
    for (const action of ['codedeploy:GetDeployment', 'codedeploy:StopDeployment']) {
      assert.deepEqual(on(action), ['arn:*:codedeploy:us-east-1:*:deploymentgroup:*'], action);
    }
  });

  it('grows with the fleet: one ECS and one RDS resource per configured service, still no wildcard', () => {
    const fleet = statements(fleetConfig(5, 'resources'), 'ResponderRole');
    const ecs = fleet
      .filter((s) => actionsOf(s).includes('ecs:UpdateService'))
      .flatMap(resourcesOf)
      .map(flatten);
    assert.equal(ecs.length, 5);
    assert.ok(
      ecs.every((r) => /service\/cluster-\d\/svc-\d$/.test(r)),
      ecs.join(','),
    );
  });
});
