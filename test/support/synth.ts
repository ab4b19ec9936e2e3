import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, stacksOf, type BuiltApp } from '../../lib/infra/app';
import { parseConfig } from '../../lib/core/config/load';
import type { Config, ConfigInput } from '../../lib/core/config/schema';
import { ENVIRONMENTS } from '../../config';

/** The default environment's raw config, for tests that derive variants from it. */
export const DEFAULT_INPUT: ConfigInput = ENVIRONMENTS.default!;

export function config(overrides: Partial<ConfigInput> = {}): Config {
  return parseConfig('test', { ...DEFAULT_INPUT, ...overrides });
}

/** A generated fleet of `count` services, each with its own ALB, ECS service and database. */
export function fleetConfig(count: number): Config {
  const services = Array.from({ length: count }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    ecs: { cluster: `cluster-${i % 7}`, service: `svc-${i}` },
    rds: { instanceId: `db-${i}`, maxConnections: 400 },
    api: { kind: 'alb' as const, loadBalancer: `app/svc-${i}/${(0xabc000 + i).toString(16)}` },
  }));
  return parseConfig(`fleet-${count}`, { ...DEFAULT_INPUT, services });
}

export interface Synthesized {
  readonly built: BuiltApp;
  /** Template per stack name. */
  readonly templates: ReadonlyMap<string, Template>;
}

/**
 * Synthesizes an environment the way `cdk synth` does, minus CDK's builtin template validation (seconds
 * per stack; cfn-lint checks the real templates in lint.test.ts).
 */
export function synth(cfg: Config, options: { nag?: boolean } = {}): Synthesized {
  const built = buildApp({ config: cfg, nag: options.nag ?? false, appProps: { builtinCloudFormationValidation: false } });
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
