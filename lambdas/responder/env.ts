import { z } from 'zod';

/**
 * The responder's environment. The stack builds it with {@link responderEnvironment}, and the function parses
 * it with {@link ResponderEnvSchema} at cold start: a missing variable fails the deploy's first invocation
 * loudly, with the variable's name, instead of half-working at 3 a.m.
 */
export const ResponderEnvSchema = z.object({
  AUDIT_TABLE: z.string().min(3),
  QUARANTINE_QUEUE_URL: z.url(),
  ANNOUNCE_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/),
  AUTOMATION_MODE_PARAMETER: z.string().startsWith('/'),
  /** Absent in a regional stack, which has no verification state machine yet (verification.ts). */
  VERIFY_STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:/)
    .optional(),
  /** Set in a regional stack: the home region, whose audit table holds the ad-hoc silences (home-silences.ts). */
  SILENCES_REGION: z.string().min(1).optional(),
  ACCOUNT_ID: z.string().regex(/^\d{12}$/),
  PARTITION: z.string().regex(/^aws[a-z-]*$/),
  AWS_REGION: z.string().min(1),
});
export type ResponderEnv = z.infer<typeof ResponderEnvSchema>;

/** The variables the stack sets (AWS_REGION is the runtime's own). Values may be CDK tokens. */
export function responderEnvironment(values: Omit<ResponderEnv, 'AWS_REGION'>): Record<string, string> {
  return { ...values };
}

/**
 * The validated environment config is compiled into the bundle (esbuild `define`), not passed as a variable:
 * Lambda caps all variables at 4 KB, and a fleet's config is larger. Tests set it as a real variable.
 */
export const CONFIG_DEFINE = 'process.env.ALERTING_CONFIG';
