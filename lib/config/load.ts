import { ConfigError, fieldPath, showValue } from '../errors';
import { ConfigSchema, type Config } from './schema';
import { checkAlertSettings } from '../alarms/settings';

/**
 * Validates a raw environment configuration and returns it with every default applied.
 * @throws ConfigError naming each invalid field and the value received.
 */
export function parseConfig(env: string, raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      env,
      result.error.issues.map((issue) => ({
        field: fieldPath(issue.path) || '(root)',
        message: issue.message,
        received: showValue((issue as { input?: unknown }).input),
      })),
    );
  }
  const problems = checkAlertSettings(result.data);
  if (problems.length > 0) throw new ConfigError(env, problems);
  return result.data;
}
