import type { z } from 'zod';
import { checkAlertSettings } from './alert-settings';
import { ConfigError, fieldPath, showValue, type ConfigProblem } from '../errors';
import { ConfigSchema, type Config } from './schema';

/**
 * Validates a raw environment configuration and returns it with every default applied.
 * @throws ConfigError naming each invalid field and the value received.
 */
export function parseConfig(env: string, raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(env, result.error.issues.flatMap(toProblems));
  }
  const problems = checkAlertSettings(result.data);
  if (problems.length > 0) throw new ConfigError(env, problems);
  return result.data;
}

/** One zod issue as problems that name the exact field and quote the exact value found there. */
function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'unrecognized_keys') {
    // zod reports the parent object; name each unknown key instead, with the known keys as the hint.
    return issue.keys.map((key) => ({
      field: fieldPath([...issue.path, key]),
      message: 'unknown field (check the spelling against the config reference in docs/configuration.md)',
      received: showValue((input as Record<string, unknown> | undefined)?.[key]),
    }));
  }
  const discriminator = (issue as { discriminator?: string }).discriminator;
  const received = discriminator !== undefined && typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminator] : input;
  const field = fieldPath(issue.path) || '(root)';
  // A credential pasted where its secret's ARN belongs must not end up in a build log.
  const hidden = /SecretArn$/.test(field) && typeof received === 'string';
  // A PagerDuty URL may carry an integration key in its path: quote its origin only.
  if (/\.https$/.test(field) && typeof received === 'string' && /pagerduty\.com/i.test(received)) {
    return [
      {
        field,
        message: issue.message,
        received: `"${URL.canParse(received) ? new URL(received).origin : 'https://…pagerduty.com'}/…" (path hidden: it may carry an integration key)`,
      },
    ];
  }
  return [{ field, message: issue.message, received: hidden ? '(hidden: not an ARN, it may be the secret itself)' : showValue(received) }];
}
