import { GetParameterCommand, ParameterNotFound, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { MitigationId } from '../../../lib/core/catalog';
import type { Config } from '../../../lib/core/config/schema';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';

/**
 * The three runbook mitigations that flip an SSM parameter (fallback mode, rate limit, AI kill switch) share
 * this shape: read the value and its version, write the desired value, never touch a parameter that is
 * already in the desired state.
 */
export function ssmFlagMitigation(options: {
  readonly id: MitigationId;
  readonly title: string;
  /** See {@link Mitigation.protective}. */
  readonly protective: boolean;
  readonly parameter: (config: Config) => string;
  readonly desired: (config: Config) => string;
}): Mitigation<'ssm'> {
  return {
    id: options.id,
    title: options.title,
    uses: ['ssm'],
    protective: options.protective,
    target(ctx: MitigationScope): Target {
      const name = options.parameter(ctx.config);
      return { key: `ssm:${name}`, id: name };
    },
    async read(ctx: MitigationScope<'ssm'>, target: Target): Promise<State> {
      try {
        const { Parameter } = await ctx.clients.ssm.send(new GetParameterCommand({ Name: target.id }));
        return { parameter: target.id, value: Parameter?.Value ?? null, version: Parameter?.Version ?? null };
      } catch (error) {
        if (error instanceof ParameterNotFound) return { parameter: target.id, value: null, version: null };
        throw error;
      }
    },
    decide(ctx: MitigationScope, before: State): Decision {
      const value = options.desired(ctx.config);
      if (before.value === value) return { act: false, reason: `${before.parameter} is already ${value}` };
      return { act: true, desired: { parameter: before.parameter!, value }, reason: `set ${before.parameter} from ${String(before.value)} to ${value}` };
    },
    async apply(ctx: MitigationScope<'ssm'>, target: Target, desired: State): Promise<void> {
      await ctx.clients.ssm.send(new PutParameterCommand({ Name: target.id, Value: String(desired.value), Type: 'String', Overwrite: true }));
    },
    revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
      const name = String(current.parameter);
      const left = { value: record.after?.value ?? null, version: record.after?.version ?? null };
      if (current.version === null) return { act: false, reason: `${name} was deleted after the action set it to ${String(left.value)}; not reverting` };
      // The version, not only the value: someone who wrote the same value decided it too.
      if (current.version !== left.version || current.value !== left.value) {
        return {
          act: false,
          reason: `${name} was written after the action: now ${String(current.value)} (version ${String(current.version)}), the action left ${String(left.value)} (version ${String(left.version)}); not reverting`,
        };
      }
      // Absent before the action: reverting would mean deleting the parameter, which apply does not do and which
      // hands the choice to the application's built-in default. Refused: a person decides (aws ssm delete-parameter).
      const previous = record.before?.value;
      if (previous === null || previous === undefined)
        return { act: false, reason: `${name} did not exist before the action; delete it by hand if the application should fall back to its default` };
      return { act: true, desired: { parameter: name, value: String(previous) }, reason: `set ${name} back from ${String(left.value)} to ${String(previous)}` };
    },
  };
}
