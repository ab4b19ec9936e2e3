import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { Config } from '../../core/config/schema';
import { nagArn } from '../nag';

/** Where the policies' ARNs live. */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The configured targets of one kind, as one IAM statement names them: resources, and a condition in tags mode. */
export interface TargetScope {
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, string>>;
  /** The cdk-nag wildcard findings this scope produces, each with its reason (tags mode names `<kind>/*`). */
  readonly nagFindings: readonly (readonly [finding: string, reason: string])[];
}

/** The kinds of resource the mitigations change or read, with their ARN's resource part. */
type Kind = 'ecs-service' | 'rds-instance' | 'ecs-service-deployment' | 'ecs-service-revision';

/**
 * The one place that decides how a role's statement names the configured targets (`automation.targetScope`):
 *
 * - `resources`: every configured ECS service / RDS instance by ARN. Exact, but the statement grows with the fleet.
 * - `tags`: `service/*` / `db:*` of the stack's account and region, allowed only where `aws:ResourceTag/<key>` is
 *   the prefix. The Service Authorization Reference lists `aws:ResourceTag/${TagKey}` for ecs:UpdateService,
 *   ecs:DescribeServices and ecs:ListServiceDeployments on `service`, and for every action on the RDS `db` resource.
 *
 * The deployment history (service-deployment, service-revision: ids minted by ECS) is read under
 * `<kind>/<cluster>/<service>/*` in resources mode and `<kind>/*` in tags mode, without a tag condition: AWS does not
 * say whether a deployment carries its service's tags, and a condition on a missing tag denies, which would stop
 * every rollback. Those are reads; nothing that changes the world is ever granted without the tag.
 */
export function targetScope(
  config: Config,
  arn: ArnContext,
  kind: Kind,
  options: { /** The role whose cdk-nag findings name the ARNs. */ scope?: IConstruct } = {},
): TargetScope {
  const base = (service: string, resource: string) => `arn:${arn.partition}:${service}:${arn.region}:${arn.account}:${resource}`;
  const byTag = config.automation.targetScope === 'tags';
  const [service, pattern, each] = {
    'ecs-service': ['ecs', 'service/*', config.services.map((s) => `service/${s.ecs.cluster}/${s.ecs.service}`)],
    'rds-instance': ['rds', 'db:*', config.services.flatMap((s) => (s.rds ? [`db:${s.rds.instanceId}`] : []))],
    'ecs-service-deployment': ['ecs', 'service-deployment/*', config.services.map((s) => `service-deployment/${s.ecs.cluster}/${s.ecs.service}/*`)],
    'ecs-service-revision': ['ecs', 'service-revision/*', config.services.map((s) => `service-revision/${s.ecs.cluster}/${s.ecs.service}/*`)],
  }[kind] as [string, string, string[]];
  if (!byTag) return { resources: each.map((resource) => base(service, resource)), nagFindings: [] };
  const tagged = kind === 'ecs-service' || kind === 'rds-instance';
  const finding = options.scope ? `Resource::${nagArn(options.scope, service, pattern)}` : `Resource::${pattern}`;
  return {
    resources: [base(service, pattern)],
    ...(tagged ? { conditions: { StringEquals: { [`aws:ResourceTag/${config.automation.targetTagKey}`]: config.prefix } } } : {}),
    nagFindings: [
      [
        finding,
        tagged
          ? `automation.targetScope is tags: only resources tagged ${config.automation.targetTagKey}=${config.prefix} (aws:ResourceTag condition)`
          : `automation.targetScope is tags: reads of the ECS deployment history (ids minted by ECS; deployments may not carry their service's tags)`,
      ],
    ],
  };
}

/** One statement granting `actions` on a target scope. */
export function scopedStatement(sid: string, actions: string[], scope: TargetScope): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources: scope.resources, ...(scope.conditions ? { conditions: scope.conditions } : {}) });
}
