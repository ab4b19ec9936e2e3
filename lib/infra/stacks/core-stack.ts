import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../../core/alarms/alarm-spec';
import { AlarmFactory } from '../alarm-factory';
import type { Config } from '../../core/config/schema';
import { AlertTopics } from '../constructs/alert-topics';
import { anyIntegration } from '../../core/config/integrations';
import { AuditTable } from '../constructs/audit-table';
import { Collaboration } from '../constructs/collaboration';
import { AlertingDashboard } from '../constructs/dashboard';
import { Escalation } from '../constructs/escalation';
import { deadLetterQueue, Responder } from '../constructs/responder';

/** Props of {@link CoreStack}. */
export interface CoreStackProps extends StackProps {
  readonly config: Config;
  /** Environment-wide alarms (not tied to one service). */
  readonly alarms: readonly AlarmSpec[];
}

/** The environment's shared pieces: topics, their key, the environment-wide alarms, the audit log and the responder. */
export class CoreStack extends Stack {
  public readonly topics: AlertTopics;
  public readonly auditTable: AuditTable;
  public readonly responder: Responder;
  public readonly escalation: Escalation;
  /** Present when an integration is configured. */
  public readonly collaboration?: Collaboration;

  public constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    this.topics = new AlertTopics(this, 'Topics', { config: props.config });
    const factory = new AlarmFactory(this, (spec) => [
      this.topics.severityTopics[spec.severity].topicArn,
      ...spec.alsoNotifies.map((role) => this.topics.roleTopics[role].topicArn),
    ]);
    props.alarms.forEach((spec) => factory.add(spec));
    this.auditTable = new AuditTable(this, 'Audit', { config: props.config });
    const deadLetters = deadLetterQueue(this, props.config);
    this.escalation = new Escalation(this, 'Escalation', {
      config: props.config,
      topics: this.topics,
      auditTable: this.auditTable.table,
      deadLetterQueue: deadLetters,
    });
    this.responder = new Responder(this, 'Responder', {
      config: props.config,
      severityTopics: this.topics.severityTopics,
      announceTopic: this.topics.roleTopics['on-call-primary'],
      auditTable: this.auditTable.table,
      verifyStateMachine: this.escalation.verifyStateMachine,
      deadLetterQueue: deadLetters,
    });
    if (anyIntegration(props.config.integrations)) {
      this.collaboration = new Collaboration(this, 'Collaboration', { config: props.config, auditTable: this.auditTable.table, deadLetterQueue: deadLetters });
    }
    new AlertingDashboard(this, 'Dashboard', {
      config: props.config,
      responderLogGroupName: this.responder.logGroup.logGroupName,
      incidentLogGroupNames: [this.escalation.logGroups.starter.logGroupName, this.escalation.logGroups.endpoint.logGroupName],
      collaborationLogGroupName: this.collaboration?.logGroup.logGroupName,
    });
  }
}
