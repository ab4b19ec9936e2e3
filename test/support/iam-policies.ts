/**
 * The IAM policies of a synthesized role as concrete JSON, for a policy simulator (test/stack/iam-scope.test.ts).
 * CloudFormation intrinsics are resolved the way a deployment in one account and region would resolve them; anything
 * this helper cannot know (a resource's Ref or GetAtt, Fn::Sub, an import) becomes {@link UNRESOLVED_ARN}, which
 * matches none of the ARNs the tests ask about, so an unresolved grant can never make a denial pass by accident.
 */

/** Where the template is deployed: what the pseudo parameters resolve to. */
export interface Deployment {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** What an intrinsic this helper cannot resolve becomes: an ARN of no real service, in no real account. */
export const UNRESOLVED_ARN = 'arn:aws:unresolved-by-test:zz-nowhere-0:000000000000:unresolved';

/** An IAM policy document, as the simulator takes it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** One policy of a role: its logical id, and its document with the intrinsics resolved. */
export interface NamedPolicy {
  readonly name: string;
  /** AWS::IAM::Policy (inline) or AWS::IAM::ManagedPolicy (CDK moves what overflows a role's inline size there). */
  readonly kind?: 'inline' | 'managed';
  readonly policy: PolicyDocument;
}

/** Resolves CloudFormation intrinsics in `value`, deeply (statements, resources, conditions). */
export function resolveIntrinsics(value: unknown, at: Deployment): unknown {
  const resolved = resolve(value, at);
  return resolved === UNRESOLVABLE ? UNRESOLVED_ARN : resolved;
}

const UNRESOLVABLE = Symbol('unresolvable');

function resolve(value: unknown, at: Deployment): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, at));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    const [fn, arg] = first;
    if (fn === 'Ref') return PSEUDO[String(arg)]?.(at) ?? UNRESOLVABLE;
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      const values = parts.map((p) => resolve(p, at));
      // One unknown part makes the whole ARN unknown: a half-resolved ARN could still match something of ours.
      return values.every((v) => typeof v === 'string') ? (values as string[]).join(separator) : UNRESOLVABLE;
    }
    return UNRESOLVABLE;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, at)]));
}

const PSEUDO: Readonly<Record<string, (at: Deployment) => string>> = {
  'AWS::Partition': (at) => at.partition,
  'AWS::Region': (at) => at.region,
  'AWS::AccountId': (at) => at.accountId,
  'AWS::URLSuffix': () => 'amazonaws.com',
};

type Resource = { readonly Type: string; readonly Properties?: Record<string, unknown> };

const refsTo = (list: unknown, id: string) => Array.isArray(list) && list.some((r) => (r as { Ref?: string } | null)?.Ref === id);

/**
 * The policies of the one role whose logical id starts with `rolePrefix`: every AWS::IAM::Policy and
 * AWS::IAM::ManagedPolicy attached to it by their `Roles`, and every ManagedPolicy its `ManagedPolicyArns` refers
 * to. `external` lists the managed policy ARNs that are not in the template (AWS managed ones): their content is
 * unknown here, and the caller decides whether it may have any.
 * @throws when no role or more than one matches
 */
export function rolePolicies(
  template: { Resources: Record<string, Resource> },
  rolePrefix: string,
  at: Deployment,
): { role: string; policies: NamedPolicy[]; external: string[] } {
  const resources = Object.entries(template.Resources);
  const roles = resources.filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(rolePrefix));
  if (roles.length !== 1) throw new Error(`${roles.length} roles start with ${rolePrefix}: ${roles.map(([id]) => id).join(', ')}`);
  const [role, roleResource] = roles[0]!;
  const managedArns = (roleResource.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? [];
  const policies: NamedPolicy[] = [];
  for (const [id, r] of resources) {
    const attached =
      (r.Type === 'AWS::IAM::Policy' && refsTo(r.Properties?.Roles, role)) ||
      (r.Type === 'AWS::IAM::ManagedPolicy' && (refsTo(r.Properties?.Roles, role) || refsTo(managedArns, id)));
    if (attached)
      policies.push({
        name: id,
        kind: r.Type === 'AWS::IAM::Policy' ? 'inline' : 'managed',
        policy: resolveIntrinsics(r.Properties!.PolicyDocument, at) as PolicyDocument,
      });
  }
  const inTemplate = (arn: unknown) => {
    const ref = (arn as { Ref?: string } | null)?.Ref;
    return ref !== undefined && template.Resources[ref]?.Type === 'AWS::IAM::ManagedPolicy';
  };
  const external = managedArns.filter((arn) => !inTemplate(arn)).map((arn) => String(resolveIntrinsics(arn, at)));
  return { role, policies, external };
}
