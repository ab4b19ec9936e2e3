/** Errors raised while building the stack (synth time). Lambda-side errors live in lambdas/shared/errors.ts. */

/** One invalid field of an environment's configuration. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `services[0].ecs.cluster`. */
  readonly field: string;
  readonly message: string;
  /** The value found there, as JSON; undefined when the field is missing. */
  readonly received: string | undefined;
}

/** Thrown when an environment's configuration is invalid; synth stops with every problem listed. */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';

  public constructor(
    public readonly env: string,
    public readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid config for env "${env}":\n` +
        problems.map((p) => `  - ${p.field}: ${p.message}${p.received === undefined ? ' (missing)' : `. Received: ${p.received}`}`).join('\n'),
    );
  }
}

/** `['services', 0, 'ecs']` -> `services[0].ecs` */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc === '' ? String(key) : `${acc}.${String(key)}`;
  }, '');
}

/** Renders a received value for an error message, shortened so a huge object does not bury the message. */
export function showValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
