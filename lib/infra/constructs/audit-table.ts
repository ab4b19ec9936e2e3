import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TIME_INDEX } from '../../../lambdas/shared/storage/table-layout';
import { auditTableName } from '../../core/config/derived';
import { anyIntegration } from '../../core/config/integrations';
import type { Config } from '../../core/config/schema';

/** Props of {@link AuditTable}. */
export interface AuditTableProps {
  readonly config: Config;
}

/**
 * The audit log of every automatic action (and the guard rails' cooldowns and action windows), kept with
 * point-in-time recovery, expired by TTL after `automation.auditRetentionDays`, and retained when the stack is
 * deleted: an audit trail that disappears with a `cdk destroy` is not one.
 */
export class AuditTable extends Construct {
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: AuditTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: auditTableName(props.config),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      // New timeline events and actions feed the collaboration function (Slack, status page, tickets, PagerDuty).
      stream: anyIntegration(props.config.integrations) ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TIME_INDEX,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
    });
  }
}
