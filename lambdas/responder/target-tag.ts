import { ListTagsForResourceCommand as ListEcsTags } from '@aws-sdk/client-ecs';
import { ListTagsForResourceCommand as ListRdsTags } from '@aws-sdk/client-rds';
import type { Config } from '../../lib/core/config/schema';
import type { AwsClients } from '../shared/clients';
import type { Target } from './mitigations/mitigation';

/** Where the configured targets live: the partition, region and account of their ARNs. */
export interface TargetAccount {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** The ARN of a target that carries the tag of `automation.targetScope: 'tags'`; undefined for an SSM flag. */
export function taggedArn(account: TargetAccount, target: Target): string | undefined {
  const { tagged } = target;
  return tagged && `arn:${account.partition}:${tagged.service}:${account.region}:${account.accountId}:${tagged.resource}`;
}

/**
 * Why the responder must not touch `target`, or undefined if it may. In `automation.targetScope: 'tags'` the roles
 * may read and change an ECS service or RDS instance only while it carries `targetTagKey` = the prefix
 * (lib/infra/constructs/target-scope.ts); without it AWS answers AccessDenied, which tells on-call nothing. So the
 * tag is read first (ListTagsForResource, which the roles hold on every service and database and which changes
 * nothing) and a missing or foreign tag becomes a refusal that names the target, the tag and the command that adds
 * it. The caller records it without acting. In `resources` mode, and for SSM flags (listed by ARN in both modes),
 * nothing is read: IAM lists the exact targets.
 * @throws what reading the tags threw (a target that does not exist, throttling): the caller's read would throw too
 */
export async function targetTagRefusal(
  config: Config,
  clients: Partial<Pick<AwsClients, 'ecs' | 'rds'>>,
  account: TargetAccount,
  target: Target,
): Promise<string | undefined> {
  if (config.automation.targetScope !== 'tags' || !target.tagged) return undefined;
  const arn = taggedArn(account, target)!;
  const key = config.automation.targetTagKey;
  const want = config.prefix;
  const { service } = target.tagged;
  const value = service === 'ecs' ? await ecsTag(clients, arn, key) : await rdsTag(clients, arn, key);
  if (value === want) return undefined;
  const what = service === 'ecs' ? `ECS service ${target.id}` : `RDS instance ${target.id}`;
  const has = value === undefined ? `has no tag ${key}` : `is tagged ${key}=${value}, not ${want}`;
  // Quoted: a tag key may hold spaces.
  const command =
    service === 'ecs'
      ? `aws ecs tag-resource --resource-arn ${arn} --tags 'key=${key},value=${want}'`
      : `aws rds add-tags-to-resource --resource-name ${arn} --tags 'Key=${key},Value=${want}'`;
  return `${what} ${has}: automation.targetScope is tags, so the responder may change only targets tagged ${key}=${want} (IAM would deny it); not acting. Tag it with: ${command}`;
}

/** {@link targetTagRefusal} of one notification's targets, each read once: the tree and a mitigation may ask about the same service. */
export type TagCheck = (target: Target) => Promise<string | undefined>;

/** A {@link TagCheck} for one notification. */
export function tagCheck(config: Config, clients: Partial<Pick<AwsClients, 'ecs' | 'rds'>>, account: TargetAccount): TagCheck {
  const checked = new Map<string, Promise<string | undefined>>();
  return (target) => {
    let refusal = checked.get(target.key);
    if (!refusal) checked.set(target.key, (refusal = targetTagRefusal(config, clients, account, target)));
    return refusal;
  };
}

async function ecsTag(clients: Partial<Pick<AwsClients, 'ecs'>>, arn: string, key: string): Promise<string | undefined> {
  if (!clients.ecs) throw new Error(`no ECS client to read the tags of ${arn}`);
  const { tags } = await clients.ecs.send(new ListEcsTags({ resourceArn: arn }));
  return tags?.find((t) => t.key === key)?.value;
}

async function rdsTag(clients: Partial<Pick<AwsClients, 'rds'>>, arn: string, key: string): Promise<string | undefined> {
  if (!clients.rds) throw new Error(`no RDS client to read the tags of ${arn}`);
  const { TagList } = await clients.rds.send(new ListRdsTags({ ResourceName: arn }));
  return TagList?.find((t) => t.Key === key)?.Value;
}
