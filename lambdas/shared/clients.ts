import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The AWS clients the responders and the CLI use, built once per process. */
export interface AwsClients {
  /** Application Auto Scaling: the scalable target of an ECS service that has one. */
  readonly autoscaling: ApplicationAutoScalingClient;
  readonly cloudwatch: CloudWatchClient;
  /** CodeDeploy: the blue/green deployments of an ECS service whose deployment controller is CODE_DEPLOY. */
  readonly codedeploy: CodeDeployClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly ecs: ECSClient;
  readonly rds: RDSClient;
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly ssm: SSMClient;
}

/** Settings shared by every client: region, optional endpoint (moto, AWS_ENDPOINT_URL), credentials. */
export interface ClientSettings {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * Attempts per call, with the SDK's standard exponential backoff and jitter: throttling and 5xx are
   * retried before the call fails. @default 5
   */
  readonly maxAttempts?: number;
}

/** DynamoDB alone, as {@link createClients} builds it: for a function that reads one table of another region. */
export function documentClient(settings: ClientSettings = {}): DynamoDBDocumentClient {
  // Plain JS objects in and out; undefined fields (optional evidence) are dropped, not rejected.
  return DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5, retryMode: 'standard', ...settings }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createClients(settings: ClientSettings = {}): AwsClients {
  const common = { maxAttempts: 5, retryMode: 'standard', ...settings };
  let autoscaling: ApplicationAutoScalingClient | undefined;
  let codedeploy: CodeDeployClient | undefined;
  return {
    // Loaded and built on first use: only ecs-scale-out (a service under Application Auto Scaling) and ecs-rollback (a
    // blue/green service) call them, and loading both SDK packages added about 23 ms to the cold start of every
    // function that creates clients (measured on Node 20 with the other clients already loaded).
    get autoscaling() {
      type Sdk = typeof import('@aws-sdk/client-application-auto-scaling');
      return (autoscaling ??= new (require('@aws-sdk/client-application-auto-scaling') as Sdk).ApplicationAutoScalingClient(common));
    },
    cloudwatch: new CloudWatchClient(common),
    get codedeploy() {
      type Sdk = typeof import('@aws-sdk/client-codedeploy');
      return (codedeploy ??= new (require('@aws-sdk/client-codedeploy') as Sdk).CodeDeployClient(common));
    },
    dynamo: documentClient(settings),
    ecs: new ECSClient(common),
    rds: new RDSClient(common),
    sns: new SNSClient(common),
    sfn: new SFNClient(common),
    sqs: new SQSClient(common),
    ssm: new SSMClient(common),
  };
}
