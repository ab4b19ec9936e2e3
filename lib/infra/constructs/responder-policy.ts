import * as iam from 'aws-cdk-lib/aws-iam';
import { alarmName } from '../../core/catalog';
import { automationModeParameter } from '../../core/config/derived';
import type { Config } from '../../core/config/schema';
import { scopedStatement, targetScope, type ArnContext } from './target-scope';

/**
 * Read-only actions of the responder that AWS offers no resource-level permission for, so they need
 * `Resource: "*"`. Nothing that changes the world is on this list.
 */
export const UNSCOPABLE_READ_ACTIONS: Readonly<Record<string, string>> = {
  'ecs:DescribeTaskDefinition': 'reads a revision; task definitions take no resource-level permission for Describe',
  'cloudwatch:GetMetricData': "reads the decision tree's metrics; GetMetricData has no resource-level permission",
  'application-autoscaling:DescribeScalableTargets':
    'ecs-scale-out reads whether a service has a scalable target; DescribeScalableTargets takes no resource-level permission (Service Authorization Reference, Application Auto Scaling)',
};

/**
 * Every action any role of the stack holds on `Resource: "*"`, with the reason: AWS offers no resource-level
 * permission for it. test/stack/iam.test.ts fails on any other.
 */
export const UNSCOPABLE_ACTIONS: Readonly<Record<string, string>> = {
  ...UNSCOPABLE_READ_ACTIONS,
  ...Object.fromEntries(
    [
      'CreateLogDelivery',
      'GetLogDelivery',
      'UpdateLogDelivery',
      'DeleteLogDelivery',
      'ListLogDeliveries',
      'PutResourcePolicy',
      'DescribeResourcePolicies',
      'DescribeLogGroups',
    ].map((a) => [
      `logs:${a}`,
      'Step Functions execution logging (vended logs delivery); CloudWatch Logs offers no resource-level permission for log deliveries',
    ]),
  ),
  ...Object.fromEntries(
    ['PutTraceSegments', 'PutTelemetryRecords', 'GetSamplingRules', 'GetSamplingTargets'].map((a) => [
      `xray:${a}`,
      'Step Functions X-Ray tracing; X-Ray offers no resource-level permission for these',
    ]),
  ),
};

/**
 * The responder's permissions, from config only: it may change exactly the ECS services, SSM flags and RDS
 * instances the config names (by ARN, or by their tag: target-scope.ts), and nothing else. Table, topic and queue
 * grants are added by the construct.
 */
export function responderPolicy(config: Config, arn: ArnContext): iam.PolicyStatement[] {
  const base = (service: string, resource: string) => `arn:${arn.partition}:${service}:${arn.region}:${arn.account}:${resource}`;
  const services = targetScope(config, arn, 'ecs-service');
  const databases = targetScope(config, arn, 'rds-instance');
  const flags = [config.ssm.fallbackMode, config.ssm.rateLimit, config.ssm.aiFeatureFlag].map((name) => base('ssm', `parameter${name}`));

  const statements = [
    scopedStatement('EcsRollbackAndScaleOut', ['ecs:DescribeServices', 'ecs:UpdateService'], services),
    // ecs-rollback reads what ran before the newest deployment from the service-deployment history. Each action takes
    // a resource-level permission (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
    // Elastic Container Service": ListServiceDeployments on `service`, DescribeServiceDeployments on
    // `service-deployment`, DescribeServiceRevisions on `service-revision`, the last two ARNs
    // `.../<kind>/<cluster>/<service>/<id>`), so each is scoped to the configured services; the ids are minted by ECS,
    // hence the trailing `*`, which stays inside one service.
    scopedStatement('EcsDeploymentHistoryList', ['ecs:ListServiceDeployments'], services),
    scopedStatement('EcsDeploymentHistoryDeployments', ['ecs:DescribeServiceDeployments'], targetScope(config, arn, 'ecs-service-deployment')),
    scopedStatement('EcsDeploymentHistoryRevisions', ['ecs:DescribeServiceRevisions'], targetScope(config, arn, 'ecs-service-revision')),
    // ecs-rollback on a blue/green service (deployment controller CODE_DEPLOY, read at run time) reads the CodeDeploy
    // deployment in flight and stops it with automatic rollback. Both actions take the deployment group
    // (Service Authorization Reference, "Actions, resources, and condition keys for AWS CodeDeploy": GetDeployment and
    // StopDeployment on `deploymentgroup`, arn:...:deploymentgroup:<application>/<group>). The config names no
    // application or group, so every group of the stack's account and region; no tag condition: the group is not a
    // configured target and need not carry the targets' tag, and a condition on a tag it lacks would deny every stop.
    new iam.PolicyStatement({
      sid: 'CodeDeployBlueGreenRollback',
      actions: ['codedeploy:GetDeployment', 'codedeploy:StopDeployment'],
      resources: [base('codedeploy', 'deploymentgroup:*')],
    }),
    new iam.PolicyStatement({ sid: 'SsmFlags', actions: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:GetParameterHistory'], resources: flags }),
    new iam.PolicyStatement({
      sid: 'AutomationSwitch',
      actions: ['ssm:GetParameter'],
      resources: [base('ssm', `parameter${automationModeParameter(config)}`)],
    }),
    // The decision tree reads the LLM dependency's alarm state, and the HighAPIErrorRate alarm's own last evaluation.
    new iam.PolicyStatement({
      sid: 'DecisionTreeAlarm',
      actions: ['cloudwatch:DescribeAlarms'],
      resources: [
        base('cloudwatch', `alarm:${alarmName(config.prefix, 'LLMDependencyDown')}`),
        base('cloudwatch', `alarm:${alarmName(config.prefix, 'HighAPIErrorRate')}-*`),
      ],
    }),
    // ecs-scale-out moves the minimum (and maximum) capacity of a service's existing scalable target. The
    // Service Authorization Reference gives RegisterScalableTarget the `scalable-target` resource, whose ARN ends in an
    // id Application Auto Scaling mints (`.../scalable-target/<unique id>`), unknown to the config: hence `*` after the
    // stack's account and region. No condition key names the scalable target's ResourceId (the ECS service), so the
    // statement cannot be narrowed to the configured services; the service-specific keys that exist,
    // application-autoscaling:service-namespace and application-autoscaling:scalable-dimension
    // (https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_service-with-iam.html), narrow it to
    // the desired count of ECS services. The code only ever names the configured service (ecs-scale-out.ts).
    // No iam:CreateServiceLinkedRole: only registering a new target can need it, and the responder only updates
    // targets that exist.
    new iam.PolicyStatement({
      sid: 'EcsScaleOutMinimum',
      actions: ['application-autoscaling:RegisterScalableTarget'],
      resources: [base('application-autoscaling', 'scalable-target/*')],
      conditions: {
        StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' },
      },
    }),
    new iam.PolicyStatement({ sid: 'UnscopableReads', actions: Object.keys(UNSCOPABLE_READ_ACTIONS), resources: ['*'] }),
  ];
  if (databases.resources.length > 0) {
    statements.push(scopedStatement('RdsScaleUp', ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], databases));
    // rds-scale-up reads whether an Aurora instance's cluster has a reader to fail over to. DescribeDBClusters takes
    // the `cluster` resource (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
    // RDS"), but the cluster's id is the instance's, not the config's, so every cluster of the account and region;
    // a read, granted without a tag condition: an untagged cluster would otherwise deny it and stop every scale-up.
    statements.push(new iam.PolicyStatement({ sid: 'RdsClusterMembers', actions: ['rds:DescribeDBClusters'], resources: [base('rds', 'cluster:*')] }));
  }
  if (config.automation.targetScope === 'tags') {
    // The responder checks a target's tag before acting, so that an untagged one is refused with its name rather
    // than failing with AccessDenied. Reading tags changes nothing, and needs no tag.
    statements.push(new iam.PolicyStatement({ sid: 'TargetTags', actions: ['ecs:ListTagsForResource'], resources: [base('ecs', 'service/*')] }));
    if (config.services.some((s) => s.rds))
      statements.push(new iam.PolicyStatement({ sid: 'DatabaseTags', actions: ['rds:ListTagsForResource'], resources: [base('rds', 'db:*')] }));
  }
  return statements;
}
