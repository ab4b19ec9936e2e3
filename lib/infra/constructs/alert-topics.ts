import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ROLES, SEVERITIES, type Role, type Severity } from '../../core/catalog';
import type { Config, Subscription } from '../../core/config/schema';
import { roleTopicName, severityTopicName } from '../../core/topic-names';

/** Props of {@link SeverityTopics} and {@link AlertTopics}. */
export interface AlertTopicsProps {
  readonly config: Config;
}

/**
 * The severity topics (P1..P4) that alarms notify, encrypted with one customer-managed key, refusing non-TLS
 * publishers and accepting only this environment's alarms.
 */
export class SeverityTopics extends Construct {
  public readonly key: kms.Key;
  public readonly severityTopics: Readonly<Record<Severity, sns.Topic>>;

  public constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the ${config.prefix} alerting topics`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch publishes alarm notifications to the encrypted topics, so it needs the data key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    const severityTopics = {} as Record<Severity, sns.Topic>;
    for (const severity of SEVERITIES) {
      severityTopics[severity] = this.topic(`Severity${severity}`, severityTopicName(config.prefix, severity), `${config.prefix} ${severity} alarms`);
      this.allowAlarms(severityTopics[severity], config);
    }
    this.severityTopics = severityTopics;
  }

  /** Only this environment's alarms may publish: scoped by account and by alarm-name prefix. */
  protected allowAlarms(topic: sns.Topic, config: Config): void {
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisEnvironmentsAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${config.prefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }

  /** A role's topic, with the humans the config subscribes to that role (`subscriptions`). */
  protected roleTopic(role: Role, config: Config): sns.Topic {
    const topic = this.topic(`Role${pascal(role)}`, roleTopicName(config.prefix, role), `${config.prefix} page: ${role}`);
    for (const subscription of config.subscriptions[role] ?? []) topic.addSubscription(toSubscription(subscription));
    return topic;
  }

  protected topic(id: string, topicName: string, displayName: string): sns.Topic {
    return new sns.Topic(this, id, { topicName, displayName: displayName.slice(0, 100), masterKey: this.key, enforceSSL: true });
  }
}

/**
 * The severity topics, and the role topics (on-call primary, senior engineer, VP engineering...) that escalation
 * pages, with the humans of the environment's config subscribed: the home region's topics.
 */
export class AlertTopics extends SeverityTopics {
  public readonly roleTopics: Readonly<Record<Role, sns.Topic>>;

  public constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id, props);
    const { config } = props;
    const roleTopics = {} as Record<Role, sns.Topic>;
    for (const role of ROLES) roleTopics[role] = this.roleTopic(role, config);
    // The self-monitoring alarms page on-call directly, around the escalation.
    this.allowAlarms(roleTopics['on-call-primary'], config);
    this.roleTopics = roleTopics;
  }
}

/**
 * A serving region's topics outside the home one: the severity topics, and on-call primary's topic, which its
 * responder announces its actions on (a topic of its own region, so announcements go on while the home region is down).
 */
export class RegionalTopics extends SeverityTopics {
  public readonly announceTopic: sns.Topic;

  public constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id, props);
    this.announceTopic = this.roleTopic('on-call-primary', props.config);
  }
}

function toSubscription(subscription: Subscription): sns.ITopicSubscription {
  if ('email' in subscription) return new subscriptions.EmailSubscription(subscription.email);
  if ('sms' in subscription) return new subscriptions.SmsSubscription(subscription.sms);
  return new subscriptions.UrlSubscription(subscription.https, { protocol: sns.SubscriptionProtocol.HTTPS });
}

function pascal(kebab: string): string {
  return kebab.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
