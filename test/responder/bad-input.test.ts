/**
 * Bad input: malformed notifications are logged with their reason, kept in the dead-letter (quarantine) queue
 * with the original notification, acknowledged (the invocation succeeds, so Lambda does not retry: no crash
 * loop) and never acted on.
 *
 * Every row starts from a valid, actionable notification (HighAPIErrorRate for chatbot-api, right after a
 * deployment: the responder would roll the ECS service back, see the control test) and breaks one thing, so
 * each row proves one check of handler.ts / notification.ts.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { findAlert } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { severityTopicName } from '../../lib/core/topic-names';
import { alarmNotification, snsEvent, type AlarmChange } from '../../tools/drill/notifications';
import { MAX_NOTIFICATION_BYTES } from '../../lambdas/responder/notification';
import { useResponder, type ResponderHarness } from '../support/responder';
import { config as configWith } from '../support/config';

const { fresh } = useResponder();

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

type Json = Record<string, unknown>;
type SnsRecord = { EventSource: string; Sns: Record<string, unknown> } & Json;

/** What a row needs to build its event: the world's topics and config. */
interface Builder {
  readonly config: Config;
  readonly announceTopicArn: string;
  /** The valid notification (a new object on every call); HighAPIErrorRate/chatbot-api unless told. */
  notification(change?: Partial<AlarmChange>): Json;
  /** The SNS event Lambda receives for a message body on the alert's own severity topic. */
  event(body: string, alertId?: string): { Records: SnsRecord[] };
}

interface Row {
  readonly name: string;
  readonly event: (b: Builder) => unknown;
  /** The reason the handler must log and attach to the quarantined message. */
  readonly reason: RegExp;
  /** What the quarantined body keeps: the whole event (no usable Records) or the one rejected record. */
  readonly keeps?: 'event' | 'record';
  /** A config other than the default environment's. */
  readonly config?: Config;
}

// ----- row builders: break one thing of a valid notification ------------------------------------------------

const wholeEvent = (name: string, event: (b: Builder) => unknown): Row => ({ name, event, reason: /^not an SNS event: no Records array$/, keeps: 'event' });

/** Edits the first record of a valid event; the edit returns the record to deliver. */
const record = (name: string, edit: (r: SnsRecord, b: Builder) => unknown, reason: RegExp, extra: Partial<Row> = {}): Row => ({
  name,
  reason,
  ...extra,
  event: (b) => {
    const event = b.event(JSON.stringify(b.notification()));
    return { Records: [edit(event.Records[0]!, b)] };
  },
});

/** A raw SNS message body. */
const body = (name: string, make: (b: Builder) => string, reason: RegExp): Row => ({ name, reason, event: (b) => b.event(make(b)) });

/** Edits a valid notification; the edit mutates it in place or returns a replacement. */
const notification = (
  name: string,
  edit: (n: Json, b: Builder) => Json | void,
  reason: RegExp,
  extra: Partial<Row> & { change?: Partial<AlarmChange> } = {},
): Row => {
  const { change, ...rest } = extra;
  return {
    name,
    reason,
    ...rest,
    event: (b) => {
      const n = b.notification(change);
      return b.event(JSON.stringify(edit(n, b) ?? n), change?.alertId);
    },
  };
};

const REQUIRED = ['AlarmName', 'AWSAccountId', 'NewStateValue', 'OldStateValue', 'NewStateReason', 'StateChangeTime', 'AlarmArn', 'Trigger'] as const;
/** What zod says when a required field is missing. */
const MISSING: Readonly<Record<(typeof REQUIRED)[number], string>> = {
  AlarmName: 'Invalid input: expected string, received undefined$',
  AWSAccountId: 'Invalid input: expected string, received undefined$',
  NewStateValue: 'Invalid option: expected one of "OK"\\|"ALARM"\\|"INSUFFICIENT_DATA"$',
  OldStateValue: 'Invalid option: expected one of "OK"\\|"ALARM"\\|"INSUFFICIENT_DATA"$',
  NewStateReason: 'Invalid input: expected string, received undefined$',
  StateChangeTime: 'Invalid input: expected string, received undefined$',
  AlarmArn: 'Invalid input: expected string, received undefined$',
  Trigger: 'Invalid input: expected object, received undefined$',
};
const without = (n: Json, field: string): Json => {
  const { [field]: _dropped, ...rest } = n;
  return rest;
};
/** A JSON text with a `__proto__` member first: JSON.parse makes it an own property, not the prototype. */
const withProtoMember = (n: Json, proto: Json): string => `{"__proto__":${JSON.stringify(proto)},${JSON.stringify(n).slice(1)}`;
const arnOf = (region: string, account: string, name: string) => `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
/** A valid notification renamed (AlarmName and AlarmArn agree). */
const renamed = (n: Json, name: string): Json => ({ ...n, AlarmName: name, AlarmArn: arnOf('us-east-1', ACCOUNT, name) });
const shape = (field: string, message: string) => new RegExp(`^wrong shape: ${field}: ${message}`);

const ROWS: readonly Row[] = [
  // ----- the event as a whole
  wholeEvent('event is null', () => null),
  wholeEvent('event is a string', () => 'ALARM: chatbot-HighAPIErrorRate-chatbot-api'),
  wholeEvent('event is a number', () => 42),
  wholeEvent('event is an empty object', () => ({})),
  wholeEvent('Records is an object, not an array', (b) => ({ Records: { 0: b.event(JSON.stringify(b.notification())).Records[0] } })),
  wholeEvent('Records is a string', (b) => ({ Records: JSON.stringify(b.event(JSON.stringify(b.notification())).Records) })),
  wholeEvent('a CloudWatch notification without the SNS envelope', (b) => b.notification()),

  // ----- the record
  record('record is null', () => null, /^not an SNS record$/),
  record('record is a string', (r) => JSON.stringify(r), /^not an SNS record$/),
  record(
    'record from SQS (EventSource aws:sqs)',
    (r) => ({ messageId: 'm-1', eventSource: 'aws:sqs', EventSource: 'aws:sqs', body: r.Sns.Message, Sns: r.Sns }),
    /^not an SNS record$/,
  ),
  record('EventSource missing', (r) => without(r, 'EventSource'), /^not an SNS record$/),
  record('Sns missing', (r) => without(r, 'Sns'), /^not an SNS record$/),
  record('Sns is null', (r) => ({ ...r, Sns: null }), /^not an SNS record$/),
  record('Sns is a JSON string', (r) => ({ ...r, Sns: JSON.stringify(r.Sns) }), /^not an SNS record$/),
  record('TopicArn missing', (r) => ({ ...r, Sns: without(r.Sns, 'TopicArn') }), /^unknown topic: undefined$/),
  record(
    'TopicArn of a foreign topic',
    (r) => ({ ...r, Sns: { ...r.Sns, TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:billing-alerts` } }),
    /^unknown topic: arn:aws:sns:us-east-1:123456789012:billing-alerts$/,
  ),
  record(
    'TopicArn of our own announcement topic (a loop)',
    (r, b) => ({ ...r, Sns: { ...r.Sns, TopicArn: b.announceTopicArn } }),
    /^unknown topic: arn:aws:sns:us-east-1:123456789012:chatbot-page-on-call-primary$/,
  ),
  record(
    'TopicArn of another environment (chatbot-staging)',
    (r) => ({ ...r, Sns: { ...r.Sns, TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${severityTopicName('chatbot-staging', 'P1')}` } }),
    /^unknown topic: .*:chatbot-staging-alerts-P1$/,
  ),
  record(
    'TopicArn: our topic name in another account',
    (r, b) => ({ ...r, Sns: { ...r.Sns, TopicArn: `arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:${severityTopicName(b.config.prefix, 'P1')}` } }),
    /^unknown topic: arn:aws:sns:eu-west-1:210987654321:chatbot-alerts-P1$/,
  ),
  record(
    'TopicArn: a bare topic name, not an ARN',
    (r, b) => ({ ...r, Sns: { ...r.Sns, TopicArn: severityTopicName(b.config.prefix, 'P1') } }),
    /^unknown topic: chatbot-alerts-P1$/,
  ),
  record('Message missing', (r) => ({ ...r, Sns: without(r.Sns, 'Message') }), /^SNS message is not a string$/),
  record(
    'Message is an object (already parsed)',
    (r) => ({ ...r, Sns: { ...r.Sns, Message: JSON.parse(String(r.Sns.Message)) } }),
    /^SNS message is not a string$/,
  ),
  record('Message is a number', (r) => ({ ...r, Sns: { ...r.Sns, Message: 42 } }), /^SNS message is not a string$/),

  // ----- the message body
  body('message is an empty string', () => '', /^not JSON$/),
  body('message is plain text', () => 'ALARM: "chatbot-HighAPIErrorRate-chatbot-api" in US East (N. Virginia)', /^not JSON$/),
  body('message is truncated JSON', (b) => JSON.stringify(b.notification()).slice(0, 200), /^not JSON$/),
  body('message starts with a byte-order mark', (b) => `\uFEFF${JSON.stringify(b.notification())}`, /^not JSON$/),
  body('message is a JSON array', (b) => JSON.stringify([b.notification()]), /^not a JSON object$/),
  body('message is a JSON number', () => '42', /^not a JSON object$/),
  body('message is JSON null', () => 'null', /^not a JSON object$/),
  body('message is JSON true', () => 'true', /^not a JSON object$/),
  body('message is double-encoded JSON (a JSON string)', (b) => JSON.stringify(JSON.stringify(b.notification())), /^not a JSON object$/),
  body(
    'message is oversized (> 64 KiB of ASCII)',
    (b) => JSON.stringify({ ...b.notification(), AlarmDescription: 'x'.repeat(MAX_NOTIFICATION_BYTES) }),
    /^oversized: \d+ bytes > 65536$/,
  ),
  body(
    'message is oversized in bytes, not in characters (UTF-8)',
    (b) => JSON.stringify({ ...b.notification(), AlarmDescription: '€'.repeat(22_000) }),
    /^oversized: \d+ bytes > 65536$/,
  ),

  // ----- each required field missing
  ...REQUIRED.map((field) => notification(`${field} missing`, (n) => without(n, field), shape(field, MISSING[field]))),

  // ----- wrong types
  notification('AlarmName is a number', (n) => ({ ...n, AlarmName: 42 }), shape('AlarmName', 'Invalid input: expected string, received number$')),
  notification(
    'AWSAccountId is a number',
    (n) => ({ ...n, AWSAccountId: Number(ACCOUNT) }),
    shape('AWSAccountId', 'Invalid input: expected string, received number$'),
  ),
  notification('NewStateValue is a number', (n) => ({ ...n, NewStateValue: 1 }), shape('NewStateValue', 'Invalid option')),
  notification('OldStateValue is null', (n) => ({ ...n, OldStateValue: null }), shape('OldStateValue', 'Invalid option')),
  notification(
    'NewStateReason is an object',
    (n) => ({ ...n, NewStateReason: { text: 'Threshold Crossed' } }),
    shape('NewStateReason', 'Invalid input: expected string, received object$'),
  ),
  notification(
    'StateChangeTime is epoch seconds',
    (n) => ({ ...n, StateChangeTime: 1_790_000_000 }),
    shape('StateChangeTime', 'Invalid input: expected string, received number$'),
  ),
  notification('AlarmArn is an array', (n) => ({ ...n, AlarmArn: [n.AlarmArn] }), shape('AlarmArn', 'Invalid input: expected string, received array$')),
  notification(
    'Trigger is a string',
    (n) => ({ ...n, Trigger: 'GreaterThanThreshold 0' }),
    shape('Trigger', 'Invalid input: expected object, received string$'),
  ),
  notification('Trigger is an array', (n) => ({ ...n, Trigger: [n.Trigger] }), shape('Trigger', 'Invalid input: expected object, received array$')),
  notification('Trigger is null', (n) => ({ ...n, Trigger: null }), shape('Trigger', 'Invalid input: expected object, received null$')),

  // ----- bad values
  notification(
    "NewStateValue 'FIRING'",
    (n) => ({ ...n, NewStateValue: 'FIRING' }),
    shape('NewStateValue', 'Invalid option: expected one of "OK"\\|"ALARM"\\|"INSUFFICIENT_DATA"$'),
  ),
  notification("OldStateValue in lower case 'ok'", (n) => ({ ...n, OldStateValue: 'ok' }), shape('OldStateValue', 'Invalid option')),
  notification('AlarmName is empty', (n) => ({ ...n, AlarmName: '' }), shape('AlarmName', 'Too small')),
  notification('AlarmName longer than 255 characters', (n) => renamed(n, `chatbot-HighAPIErrorRate-${'a'.repeat(250)}`), shape('AlarmName', 'Too big')),
  notification('AWSAccountId has 11 digits', (n) => ({ ...n, AWSAccountId: ACCOUNT.slice(1) }), shape('AWSAccountId', 'Invalid string: must match pattern')),
  notification('NewStateReason longer than 10,000 characters', (n) => ({ ...n, NewStateReason: 'r'.repeat(10_001) }), shape('NewStateReason', 'Too big')),
  notification("StateChangeTime 'yesterday'", (n) => ({ ...n, StateChangeTime: 'yesterday' }), shape('StateChangeTime', 'Invalid string: must match pattern')),
  notification(
    'StateChangeTime without a time zone',
    (n) => ({ ...n, StateChangeTime: '2026-11-27T13:25:45.570' }),
    shape('StateChangeTime', 'Invalid string: must match pattern'),
  ),
  notification(
    'StateChangeTime in month 13',
    (n) => ({ ...n, StateChangeTime: '2026-13-01T00:00:00.000+0000' }),
    /^(wrong shape: StateChangeTime: |invalid StateChangeTime)/,
  ),
  notification('StateChangeTime on 30 February', (n) => ({ ...n, StateChangeTime: '2026-02-30T10:00:00.000+0000' }), /^invalid StateChangeTime: 2026-02-30/),
  notification(
    'StateChangeTime a day old (a replay)',
    (n) => ({ ...n, StateChangeTime: new Date(Date.now() - 86_400_000).toISOString().replace('Z', '+0000') }),
    /^stale: StateChangeTime .* is more than 360 minutes old$/,
  ),
  notification(
    'StateChangeTime in the far future',
    (n) => ({ ...n, StateChangeTime: '9999-12-31T23:59:59.000+0000' }),
    /^stale: StateChangeTime 9999-12-31T23:59:59.000\+0000 is in the future$/,
  ),
  notification(
    'StateChangeTime with offset +99:99',
    (n) => ({ ...n, StateChangeTime: '2026-11-27T13:25:45.570+99:99' }),
    /^(wrong shape: StateChangeTime: |invalid StateChangeTime)/,
  ),
  notification('AlarmArn is not an ARN', (n) => ({ ...n, AlarmArn: n.AlarmName }), shape('AlarmArn', 'Invalid string: must match pattern')),
  notification(
    'AlarmArn of another service (SNS)',
    (n) => ({ ...n, AlarmArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${String(n.AlarmName)}` }),
    shape('AlarmArn', 'Invalid string: must match pattern'),
  ),
  notification(
    'AlarmArn in another partition (aws-cn)',
    (n) => ({ ...n, AlarmArn: String(n.AlarmArn).replace('arn:aws:', 'arn:aws-cn:') }),
    /^(wrong shape: AlarmArn: |foreign partition)/,
  ),
  notification(
    'AlarmArn names another alarm than AlarmName',
    (n) => ({ ...n, AlarmArn: arnOf('us-east-1', ACCOUNT, 'chatbot-HighAPILatency-chatbot-api') }),
    /^AlarmArn names chatbot-HighAPILatency-chatbot-api, AlarmName is chatbot-HighAPIErrorRate-chatbot-api$/,
  ),

  // ----- another account or region
  notification('another account in AWSAccountId', (n) => ({ ...n, AWSAccountId: OTHER_ACCOUNT }), /^foreign account: 210987654321 \(expected 123456789012\)$/),
  // The reason names AWSAccountId, not the ARN's account: see the separate test below.
  notification(
    'another account in the AlarmArn only',
    (n) => ({ ...n, AlarmArn: arnOf('us-east-1', OTHER_ACCOUNT, String(n.AlarmName)) }),
    /^foreign account: \d{12} \(expected 123456789012\)$/,
  ),
  notification('another account in both', (n) => n, /^foreign account: 210987654321 \(expected 123456789012\)$/, { change: { accountId: OTHER_ACCOUNT } }),
  notification('another region in the AlarmArn', (n) => n, /^foreign region: us-west-2 \(expected us-east-1\)$/, { change: { region: 'us-west-2' } }),

  // ----- alarms that are not ours
  notification(
    'unknown alarm prefix',
    (n) => renamed(n, 'billing-HighAPIErrorRate-chatbot-api'),
    /^unknown alarm: billing-HighAPIErrorRate-chatbot-api is not one of the chatbot catalog alarms$/,
  ),
  notification(
    "another environment's alarm (chatbot-staging)",
    (n) => renamed(n, 'chatbot-staging-HighAPIErrorRate-chatbot-api'),
    /^unknown alarm: chatbot-staging-HighAPIErrorRate-chatbot-api is not one of the chatbot catalog alarms$/,
  ),
  notification(
    'unknown alert id with our prefix',
    (n) => renamed(n, 'chatbot-NoSuchAlert-chatbot-api'),
    /^unknown alarm: chatbot-NoSuchAlert-chatbot-api is not one of the chatbot catalog alarms$/,
  ),
  notification(
    'lower-case alert id',
    (n) => renamed(n, 'chatbot-highAPIErrorRate-chatbot-api'),
    /^unknown alarm: chatbot-highAPIErrorRate-chatbot-api is not one of/,
  ),
  notification(
    'alert id in upper case',
    (n) => renamed(n, 'chatbot-HIGHAPIERRORRATE-chatbot-api'),
    /^unknown alarm: chatbot-HIGHAPIERRORRATE-chatbot-api is not one of/,
  ),
  notification('the prefix alone', (n) => renamed(n, 'chatbot-'), /^unknown alarm: chatbot- is not one of/),
  notification(
    'per-service alert for an unknown service',
    (n) => renamed(n, 'chatbot-HighAPIErrorRate-billing-api'),
    /^unknown alarm: no service "billing-api" for HighAPIErrorRate$/,
  ),
  notification('per-service alert without a service', (n) => renamed(n, 'chatbot-HighAPIErrorRate'), /^unknown alarm: no service "" for HighAPIErrorRate$/),
  notification(
    'per-service alert with a trailing space in the service',
    (n) => renamed(n, 'chatbot-HighAPIErrorRate-chatbot-api '),
    /^unknown alarm: no service "chatbot-api " for HighAPIErrorRate$/,
  ),
  notification(
    'database alert for an unknown service',
    (n) => renamed(n, 'chatbot-DatabaseConnectionPoolExhausted-billing-api'),
    /^unknown alarm: no service-rds "billing-api" for DatabaseConnectionPoolExhausted$/,
  ),
  notification(
    'certificate alert for an unknown certificate',
    (n) => renamed(n, 'chatbot-CertificateExpiring-www-cert'),
    /^unknown alarm: no certificate "www-cert" for CertificateExpiring$/,
  ),
  notification('global alert with a service suffix', (n) => n, /^unknown alarm: no global "chatbot-api" for ModelAccuracyDrop$/, {
    change: { alertId: 'ModelAccuracyDrop', instance: 'chatbot-api' },
  }),
  notification('alert disabled in this environment', (n) => n, /^unknown alarm: HighAPIErrorRate is disabled in this environment$/, {
    config: configWith({ alerts: { HighAPIErrorRate: { enabled: false } } }),
  }),

  // ----- metric versus composite alarm shape
  notification(
    'composite-alarm shape (AlarmRule, no Trigger) for a metric alarm',
    (n) => ({ ...without(n, 'Trigger'), AlarmRule: 'ALARM("chatbot-HighAPIErrorRate-chatbot-api")' }),
    /^composite-alarm shape for HighAPIErrorRate, which is a math alarm$/,
  ),
  notification(
    'both AlarmRule and Trigger for a metric alarm',
    (n) => ({ ...n, AlarmRule: 'ALARM("x")' }),
    /^composite-alarm shape for HighAPIErrorRate, which is a math alarm$/,
  ),
  notification(
    'metric-alarm shape for the composite alarm PartialRegionOutage',
    (n) => n,
    /^metric-alarm shape for PartialRegionOutage, which is a composite-regions alarm$/,
    { change: { alertId: 'PartialRegionOutage', instance: undefined } },
  ),
  notification('composite alarm with an empty AlarmRule', (n) => ({ ...without(n, 'Trigger'), AlarmRule: '' }), shape('AlarmRule', 'Too small'), {
    change: { alertId: 'PartialRegionOutage', instance: undefined },
  }),

  // ----- prototype tricks: members under __proto__ or constructor are not the notification's own fields
  body(
    '__proto__ member carrying the Trigger',
    (b) => withProtoMember(without(b.notification(), 'Trigger'), { Trigger: { Threshold: 0 } }),
    shape('Trigger', 'Invalid input: expected object, received undefined$'),
  ),
  body(
    '__proto__ member carrying an AlarmRule',
    (b) => withProtoMember(without(b.notification(), 'Trigger'), { AlarmRule: 'ALARM("x")' }),
    shape('Trigger', 'Invalid input: expected object, received undefined$'),
  ),
  body(
    '__proto__ member carrying AWSAccountId',
    (b) => withProtoMember(without(b.notification(), 'AWSAccountId'), { AWSAccountId: ACCOUNT }),
    shape('AWSAccountId', 'Invalid input: expected string, received undefined$'),
  ),
  notification(
    'constructor.prototype carrying the Trigger',
    (n) => ({ ...without(n, 'Trigger'), constructor: { prototype: { Trigger: {} } } }),
    shape('Trigger', 'Invalid input: expected object, received undefined$'),
  ),
];

// ----- the world and what the handler did ------------------------------------------------------------------

/** The sample world as createSampleWorld builds it: nothing may change it. */
const UNTOUCHED = {
  taskDefinition: 'chatbot-api:2',
  desiredCount: 4,
  flags: { '/chatbot/fallback-mode': 'false', '/chatbot/rate-limit': '0', '/feature/ai-model': 'true', '/chatbot/automation-mode': 'enabled' },
  dbClass: 'db.r6g.large',
  auditTableItems: 0,
};

async function worldState(h: ResponderHarness): Promise<typeof UNTOUCHED> {
  const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  const flags: Record<string, string> = {};
  for (const name of Object.keys(UNTOUCHED.flags)) flags[name] = (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!;
  const db = await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'chatbot-db' }));
  // The whole table, not just the action index: claims, cooldowns and window counters all count.
  const scan = await h.clients.dynamo.send(new ScanCommand({ TableName: h.world.auditTable, Select: 'COUNT' }));
  return {
    taskDefinition: services![0]!.taskDefinition!.split('/').pop()!,
    desiredCount: services![0]!.desiredCount!,
    flags: flags as typeof UNTOUCHED.flags,
    dbClass: db.DBInstances![0]!.DBInstanceClass!,
    auditTableItems: scan.Count!,
  };
}

/** Receives and deletes every message of a queue. */
async function drain(h: ResponderHarness, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await h.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    if (!Messages?.length) return all;
    all.push(...Messages);
    for (const m of Messages) await h.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
}

/** A queue subscribed to the on-call announcement topic, so a test can see whether anything was announced. */
async function announcementInbox(h: ResponderHarness): Promise<string> {
  const { QueueUrl } = await h.clients.sqs.send(new CreateQueueCommand({ QueueName: 'announcements-inbox' }));
  const { Attributes } = await h.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await h.clients.sns.send(new SubscribeCommand({ TopicArn: h.world.announceTopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn! }));
  return QueueUrl!;
}

function builderFor(h: ResponderHarness): Builder {
  const topicOf = (alertId: string) => h.world.severityTopicArns[alertSettings(findAlert(alertId)!, h.config).severity]!;
  return {
    config: h.config,
    announceTopicArn: h.world.announceTopicArn,
    notification: (change = {}) => alarmNotification(h.config, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', ...change }),
    event: (message, alertId = 'HighAPIErrorRate') => snsEvent(topicOf(alertId), message) as { Records: SnsRecord[] },
  };
}

/** A world per config; rebuilt only when a row failed (it may have changed the world) or needs another config. */
interface Shared {
  h: ResponderHarness;
  inbox: string;
  config: Config | undefined;
  clean: boolean;
}
let shared: Shared | undefined;
async function worldFor(row: Row): Promise<Shared> {
  if (!shared || !shared.clean || shared.config !== row.config) {
    const h = await fresh(row.config ? { config: row.config } : {});
    shared = { h, inbox: await announcementInbox(h), config: row.config, clean: true };
  }
  shared.h.logs.length = 0;
  shared.h.metrics.length = 0;
  return shared;
}

describe('bad input: malformed notifications are logged, quarantined and never acted on', () => {
  it('control: the unbroken notification the rows start from does act', async () => {
    // GIVEN a fresh world
    const h = await fresh();
    const inbox = await announcementInbox(h);
    // WHEN the valid notification arrives
    const b = builderFor(h);
    await h.invoke(b.event(JSON.stringify(b.notification())));
    // THEN the service is rolled back and announced, and nothing is quarantined
    assert.equal((await worldState(h)).taskDefinition, 'chatbot-api:1');
    assert.equal((await drain(h, inbox)).length, 1);
    assert.deepEqual(await drain(h, h.world.quarantineQueueUrl), []);
    assert.deepEqual(
      h.logs.filter((l) => l.level !== 'info'),
      [],
    );
  });

  it(`the table has at least 55 distinct rows (${ROWS.length})`, () => {
    assert.ok(ROWS.length >= 55, `${ROWS.length} rows`);
    assert.equal(new Set(ROWS.map((r) => r.name)).size, ROWS.length, 'row names are unique');
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      // GIVEN a world in which the unbroken notification would act
      const w = await worldFor(row);
      w.clean = false;
      const { h } = w;
      const event = row.event(builderFor(h));

      // WHEN it is delivered: the invocation succeeds, so Lambda neither retries nor loops
      await assert.doesNotReject(h.invoke(event));

      // THEN one warning with the reason, and nothing else logged
      assert.equal(h.logs.length, 1, `log lines: ${JSON.stringify(h.logs)}`);
      const [line] = h.logs;
      assert.equal(line!.level, 'warn');
      assert.match(line!.message, /^notification rejected: no action taken/);
      const reason = String(line!.extra?.reason);
      assert.match(reason, row.reason);
      assert.deepEqual(h.metrics, [['NotificationsRejected', reason.split(':')[0]]]);

      // exactly one quarantined message, with the reason as an attribute and the original kept in the body
      const quarantined = await drain(h, h.world.quarantineQueueUrl);
      assert.equal(quarantined.length, 1, 'one message in the quarantine queue');
      const message = quarantined[0]!;
      assert.equal(message.MessageAttributes?.reason?.StringValue, reason.slice(0, 256));
      const kept = JSON.parse(message.Body!) as { reason: string; notification?: unknown; truncated?: boolean };
      assert.equal(kept.reason, reason);
      assert.equal(kept.truncated, undefined);
      const original = row.keeps === 'event' ? event : (event as { Records: unknown[] }).Records[0];
      assert.deepEqual(kept.notification, JSON.parse(JSON.stringify(original) ?? 'null'));

      // and the world is as it was: no change, no audit record, no announcement
      assert.deepEqual(await worldState(h), UNTOUCHED);
      assert.deepEqual(await drain(h, w.inbox), []);
      w.clean = true;
    });
  }

  it('no row polluted Object.prototype', () => {
    const probe = {} as Record<string, unknown>;
    for (const key of ['Trigger', 'AlarmRule', 'AWSAccountId', 'Threshold']) assert.equal(probe[key], undefined, key);
  });

  it('another account in the AlarmArn only: the reason names the foreign account', async () => {
    const w = await worldFor({ name: 'arn account', event: () => null, reason: /./ });
    const b = builderFor(w.h);
    const n = b.notification();
    await w.h.invoke(b.event(JSON.stringify({ ...n, AlarmArn: arnOf('us-east-1', OTHER_ACCOUNT, String(n.AlarmName)) })));
    await drain(w.h, w.h.world.quarantineQueueUrl);
    assert.match(String(w.h.logs[0]?.extra?.reason), /210987654321/);
  });
});

describe('valid notifications that are not actionable are neither quarantined nor acted on', () => {
  for (const [newState, oldState] of [
    ['OK', 'ALARM'],
    ['INSUFFICIENT_DATA', 'OK'],
  ] as const) {
    it(`${newState} (from ${oldState})`, async () => {
      // GIVEN a world in which an ALARM would roll the service back
      const h = await fresh();
      const inbox = await announcementInbox(h);
      // WHEN the alarm leaves ALARM, or loses its data
      await assert.doesNotReject(h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', newState, oldState }));
      // THEN it is logged as not actionable, nothing is rejected, quarantined, changed, recorded or announced
      assert.deepEqual(
        h.logs.map((l) => [l.level, l.message, l.extra?.state]),
        [['info', 'no action: only a transition into ALARM triggers mitigations', newState]],
      );
      assert.deepEqual(h.metrics, []);
      assert.deepEqual(await drain(h, h.world.quarantineQueueUrl), []);
      assert.deepEqual(await worldState(h), UNTOUCHED);
      assert.deepEqual(await drain(h, inbox), []);
    });
  }
});
