import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, stacksOf, type BuiltApp } from '../../lib/infra/app';
import type { Config } from '../../lib/core/config/schema';

export interface Synthesized {
  readonly built: BuiltApp;
  /** Template per stack name. */
  readonly templates: ReadonlyMap<string, Template>;
}

/**
 * Synthesizes an environment the way `cdk synth` does, minus CDK's builtin template validation (seconds
 * per stack; cfn-lint checks the real templates in lint.test.ts) and minus the Lambda bundles (about 3 s of
 * esbuild per test process, and no test reads the code: `-c aws:cdk:bundling-stacks=[]` leaves inline
 * placeholders, as `cdk synth --exclusively` does). lint.test.ts and `npm run synth` bundle for real.
 */
export function synth(cfg: Config, options: { nag?: boolean } = {}): Synthesized {
  const built = buildApp({
    config: cfg,
    nag: options.nag ?? false,
    appProps: { builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } },
  });
  const templates = new Map(stacksOf(built).map((stack) => [stack.stackName, Template.fromStack(stack)]));
  return { built, templates };
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Every resource of a type across all templates, keyed by logical id (prefixed with the stack name). */
export function resourcesOfType(s: Synthesized, type: string): Map<string, Resource> {
  const out = new Map<string, Resource>();
  for (const [stackName, template] of s.templates) {
    for (const [id, resource] of Object.entries(template.findResources(type))) out.set(`${stackName}/${id}`, resource as Resource);
  }
  return out;
}
