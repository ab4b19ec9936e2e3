import { z } from 'zod';

/** The escalation functions' environment, built by the stack with {@link escalationEnvironment}. */
export const EscalationEnvSchema = z.object({
  AUDIT_TABLE: z.string().min(3),
  STATE_MACHINE_ARN: z.string().regex(/^arn:aws[a-z-]*:states:/),
  LINK_SECRET_ARN: z.string().regex(/^arn:aws[a-z-]*:secretsmanager:/),
  /** Where ack/resolve links point; absent in the endpoint itself, which signs none. */
  LINK_BASE_URL: z.url().optional(),
  ACCOUNT_ID: z.string().regex(/^\d{12}$/),
  PARTITION: z.string().regex(/^aws[a-z-]*$/),
  AWS_REGION: z.string().min(1),
});
export type EscalationEnv = z.infer<typeof EscalationEnvSchema>;

export function escalationEnvironment(values: Omit<EscalationEnv, 'AWS_REGION'>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
