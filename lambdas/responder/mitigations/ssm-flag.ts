import { GetParameterCommand, ParameterNotFound, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { MitigationId } from '../../../lib/catalog';
import type { Config } from '../../../lib/config/schema';
import type { Decision, Mitigation, MitigationContext, State, Target } from './mitigation';

/**
 * The three runbook mitigations that flip an SSM parameter (fallback mode, rate limit, AI kill switch) share
 * this shape: read the value and its version, write the desired value, never touch a parameter that is
 * already in the desired state.
 */
export function ssmFlagMitigation(options: {
  readonly id: MitigationId;
  readonly title: string;
  readonly parameter: (config: Config) => string;
  readonly desired: (config: Config) => string;
}): Mitigation {
  return {
    id: options.id,
    title: options.title,
    target(ctx: MitigationContext): Target {
      const name = options.parameter(ctx.config);
      return { key: `ssm:${name}`, id: name };
    },
    async read(ctx: MitigationContext, target: Target): Promise<State> {
      try {
        const { Parameter } = await ctx.clients.ssm.send(new GetParameterCommand({ Name: target.id }));
        return { parameter: target.id, value: Parameter?.Value ?? null, version: Parameter?.Version ?? null };
      } catch (error) {
        if (error instanceof ParameterNotFound) return { parameter: target.id, value: null, version: null };
        throw error;
      }
    },
    decide(ctx: MitigationContext, before: State): Decision {
      const value = options.desired(ctx.config);
      if (before.value === value) return { act: false, reason: `${before.parameter} is already ${value}` };
      return { act: true, desired: { parameter: before.parameter!, value }, reason: `set ${before.parameter} from ${String(before.value)} to ${value}` };
    },
    async apply(ctx: MitigationContext, target: Target, desired: State): Promise<void> {
      await ctx.clients.ssm.send(new PutParameterCommand({ Name: target.id, Value: String(desired.value), Type: 'String', Overwrite: true }));
    },
  };
}
