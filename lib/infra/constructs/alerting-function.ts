import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '../../core/config/schema';
import { bundle } from './bundle';

/** Props of {@link AlertingFunction}. */
export interface AlertingFunctionProps {
  readonly config: Config;
  /** Fixed name: alarms and the CLI refer to it. */
  readonly functionName: string;
  readonly description: string;
  /** Entry file under lambdas/, e.g. `responder/index.ts`. */
  readonly entry: string;
  /** @default 'handler' */
  readonly handler?: string;
  readonly environment: Record<string, string>;
  /** @default 60 seconds */
  readonly timeout?: Duration;
  /** Where failed asynchronous invocations go, after `retryAttempts` retries. @default none */
  readonly deadLetterQueue?: sqs.IQueue;
  /** @default 2 */
  readonly retryAttempts?: number;
  /** Reserved concurrency: both a guaranteed share of the account's pool and a cap. @default none (the shared pool) */
  readonly reservedConcurrency?: number;
}

/**
 * A Lambda function of this stack, all built the same way: Node.js 24 on arm64, bundled by esbuild with the AWS
 * SDK left to the runtime (see the bundling benchmark in docs/mitigations.md), the validated config compiled in,
 * JSON logs in its own log group kept a year, and its own role that may write to that log group only (no managed
 * policy).
 */
export class AlertingFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: AlertingFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.functionName });
    logGroup.grantWrite(this.role);
    // `cdk synth --exclusively` and `-c aws:cdk:bundling-stacks=[]` skip bundling, as CDK's own functions do.
    const code = Stack.of(this).bundlingRequired
      ? lambda.Code.fromAsset(bundle(props.entry, props.config))
      : lambda.Code.fromInline('// bundling skipped at synth');
    this.function = new lambda.Function(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role,
      code,
      handler: `index.${props.handler ?? 'handler'}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(60),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: props.environment,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 2,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
  }
}
