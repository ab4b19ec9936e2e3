/**
 * The CDK app entry point used by `cdk synth` / `cdk deploy`: `npx cdk deploy --all -c env=<name>`.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/infra/app';
import { loadEnvironment } from '../lib/core/config/environment';
import { ConfigError } from '../lib/core/errors';

const app = new App();
const envName = (app.node.tryGetContext('env') as string | undefined) ?? 'default';
try {
  buildApp({ app, config: loadEnvironment(envName) });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
