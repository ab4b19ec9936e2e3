import { z } from 'zod';

/** The collaboration function's environment, built by the stack with {@link collaborationEnvironment}. */
export const CollaborationEnvSchema = z.object({
  AUDIT_TABLE: z.string().min(3),
  AWS_REGION: z.string().min(1),
});
export type CollaborationEnv = z.infer<typeof CollaborationEnvSchema>;

/** The variables the stack sets (AWS_REGION is the runtime's own). Values may be CDK tokens. */
export function collaborationEnvironment(values: Omit<CollaborationEnv, 'AWS_REGION'>): Record<string, string> {
  return { ...values };
}
