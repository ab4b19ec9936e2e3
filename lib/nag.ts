import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Registers cdk-nag's AwsSolutions pack. Every acknowledgement of a finding lives next to the construct it
 * concerns, with its reason (Validations.of(scope).acknowledge), never here in bulk.
 */
export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
