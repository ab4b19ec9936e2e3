/**
 * Fault tests: AWS answering with throttling or 5xx, injected at the HTTP transport of ONE client while every
 * other call goes to moto.
 *
 * Why the transport and not aws-sdk-client-mock: the mock replaces `client.send`, so the SDK's middleware
 * stack, and with it the retry middleware configured in lambdas/shared/clients.ts (maxAttempts 5, retryMode
 * 'standard'), never runs; a mocked throttle would prove nothing about retries. Here the clients come from
 * createClients() with its production retry settings, and only the client's `requestHandler` (the last step,
 * after serialization, signing and the retry loop) is wrapped: a faulty request gets a real HTTP error response
 * (400 ThrottlingException, 500 ServerException...) that the SDK deserializes, classifies and retries with its
 * own backoff exactly as it would in Lambda; every other request is sent to moto by the original handler. The
 * transport counts requests per operation, so a test sees each attempt of the SDK's retry loop.
 *
 * Besides failing a request before it reaches moto, the transport can send it and then lose the response (the
 * write happened, the SDK sees a 5xx and retries it), or hold it back (a slow call, to let a concurrent
 * delivery run in between).
 */
import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { findAlert } from '../../lib/core/catalog';
import { alarmNotification, snsEvent, type AlarmChange } from '../../tools/drill/notifications';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import { MitigationFailedError } from '../../lambdas/shared/errors';
import { useResponder, type ResponderHarness } from '../support/responder';

const { fresh } = useResponder();
const MINUTE = 60_000;

// ----- fault injection at the HTTP transport ----------------------------------------------------------------

/** An AWS error response: status, error code (`__type`) and message. */
interface Fault {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}
/**
 * What happens to one request instead of a plain pass to moto: a Fault is answered without sending the request;
 * `lost` sends it to moto, then answers the fault instead of moto's response (the write happened, its response
 * never arrived); `holdUntil` sends it once the promise settles.
 */
type Twist = Fault | { readonly lost: Fault } | { readonly holdUntil: Promise<unknown> };
/**
 * Which requests fail: operation (X-Amz-Target, or the query protocol's Action), its input (JSON, or the query
 * protocol's form fields), and how many times it was seen so far (1 = first attempt).
 */
type FaultPlan = (operation: string, input: Record<string, unknown>, seen: number) => Twist | undefined;

/** The part of the SDK's HTTP handler contract this wrapper needs (structural, to avoid importing @smithy internals). */
interface Transport {
  handle(request: { headers: Record<string, string>; body?: unknown }, options?: unknown): Promise<{ response: unknown }>;
  updateHttpClientConfig?(key: never, value: never): void;
  httpHandlerConfigs?(): unknown;
  destroy?(): void;
}

class FaultyTransport implements Transport {
  private readonly seenBy = new Map<string, number>();
  private readonly delegatedBy = new Map<string, number>();

  public constructor(
    private readonly real: Transport,
    private readonly contentType: string,
    private readonly plan: FaultPlan,
  ) {}

  /** Requests of an operation that reached the transport: one per SDK attempt. */
  public seen(operation: string): number {
    return this.seenBy.get(operation) ?? 0;
  }
  /** Requests of an operation passed on to moto. */
  public delegated(operation: string): number {
    return this.delegatedBy.get(operation) ?? 0;
  }

  public async handle(request: { headers: Record<string, string>; body?: unknown }, options?: unknown): Promise<{ response: unknown }> {
    const target = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
    const input = requestInput(request.body);
    const operation = target !== undefined ? target.split('.').pop()! : String(input.Action ?? '');
    const seen = this.seen(operation) + 1;
    this.seenBy.set(operation, seen);
    const twist = this.plan(operation, input, seen);
    if (twist && 'holdUntil' in twist) await twist.holdUntil.catch(() => undefined);
    if (!twist || 'holdUntil' in twist || 'lost' in twist) {
      this.delegatedBy.set(operation, this.delegated(operation) + 1);
      const delivered = await this.real.handle(request, options);
      if (!twist || !('lost' in twist)) return delivered;
      // moto did the work; its answer is read and dropped, and the SDK gets the fault instead
      for await (const _chunk of (delivered.response as { body: AsyncIterable<unknown> }).body);
      return this.errorResponse(twist.lost, operation, seen);
    }
    return this.errorResponse(twist, operation, seen);
  }

  /** What AWS answers on the wire: a protocol error the SDK turns into a typed exception. */
  private errorResponse(fault: Fault, operation: string, seen: number): { response: unknown } {
    const body = Buffer.from(
      this.contentType.includes('json')
        ? JSON.stringify({ __type: fault.type, message: fault.message })
        : `<ErrorResponse><Error><Type>${fault.status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${fault.type}</Code><Message>${fault.message}</Message></Error><RequestId>fault-${operation}-${seen}</RequestId></ErrorResponse>`,
    );
    return {
      response: {
        statusCode: fault.status,
        reason: undefined,
        headers: { 'content-type': this.contentType, 'content-length': String(body.length), 'x-amzn-requestid': `fault-${operation}-${seen}` },
        body: Readable.from([body]),
      },
    };
  }

  public updateHttpClientConfig(key: never, value: never): void {
    this.real.updateHttpClientConfig?.(key, value);
  }
  public httpHandlerConfigs(): unknown {
    return this.real.httpHandlerConfigs?.();
  }
  public destroy(): void {
    this.real.destroy?.();
  }
}

/** The input of a request: JSON (JSON protocols) or form fields (query protocol: SNS); the body is a string or bytes, depending on the serializer. */
function requestInput(body: unknown): Record<string, unknown> {
  const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '';
  if (!text) return {};
  return text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
}

const CONTENT_TYPE = { ecs: 'application/x-amz-json-1.1', ssm: 'application/x-amz-json-1.1', dynamo: 'application/x-amz-json-1.0', sns: 'text/xml' } as const;

/**
 * Clients as the Lambda builds them (createClients: maxAttempts 5, standard retry mode) against moto, with the
 * transport of one of them wrapped. Must run before the client's first request.
 */
function clientsWithFaults(h: ResponderHarness, which: keyof typeof CONTENT_TYPE, plan: FaultPlan): { clients: AwsClients; transport: FaultyTransport } {
  const clients = createClients({ endpoint: h.moto.clientConfig.endpoint, region: h.moto.clientConfig.region, credentials: h.moto.clientConfig.credentials });
  // The document client shares its config (and so its transport) with the DynamoDBClient it wraps.
  const config = clients[which].config as unknown as { requestHandler: Transport };
  const transport = new FaultyTransport(config.requestHandler, CONTENT_TYPE[which], plan);
  config.requestHandler = transport;
  return { clients, transport };
}

async function maxAttempts(clients: AwsClients): Promise<number> {
  return clients.ecs.config.maxAttempts();
}

// ----- the world --------------------------------------------------------------------------------------------

/** The sample world as createSampleWorld builds it. */
const UNTOUCHED = {
  taskDefinition: 'chatbot-api:2',
  desiredCount: 4,
  flags: { '/chatbot/fallback-mode': 'false', '/chatbot/rate-limit': '0', '/feature/ai-model': 'true' },
  dbClass: 'db.r6g.large',
};

/** Read with the harness's own (fault-free) clients. */
async function worldState(h: ResponderHarness): Promise<typeof UNTOUCHED> {
  const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  const flags: Record<string, string> = {};
  for (const name of Object.keys(UNTOUCHED.flags)) flags[name] = (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!;
  const db = await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'chatbot-db' }));
  return {
    taskDefinition: services![0]!.taskDefinition!.split('/').pop()!,
    desiredCount: services![0]!.desiredCount!,
    flags: flags as typeof UNTOUCHED.flags,
    dbClass: db.DBInstances![0]!.DBInstanceClass!,
  };
}

/** Every item of the audit table (actions, cooldowns, window counters), keyed `pk`. */
async function tableItems(h: ResponderHarness): Promise<Map<string, Record<string, unknown>>> {
  const { Items } = await h.clients.dynamo.send(new ScanCommand({ TableName: h.world.auditTable }));
  return new Map((Items ?? []).map((item) => [String(item.pk), item]));
}

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

/** A queue subscribed to the on-call announcement topic; returns the subjects announced so far. */
async function announcementInbox(h: ResponderHarness): Promise<() => Promise<string[]>> {
  const { QueueUrl } = await h.clients.sqs.send(new CreateQueueCommand({ QueueName: 'announcements-inbox' }));
  const { Attributes } = await h.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await h.clients.sns.send(new SubscribeCommand({ TopicArn: h.world.announceTopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn! }));
  return async () => (await drain(h, QueueUrl!)).map((m) => String((JSON.parse(m.Body!) as { Subject?: string }).Subject));
}

/** The SNS event of one alarm transition; delivering the same object again is Lambda's retry of it. */
function eventFor(h: ResponderHarness, change: AlarmChange): unknown {
  const topic = h.world.severityTopicArns[alertSettings(findAlert(change.alertId)!, h.config).severity]!;
  return snsEvent(topic, JSON.stringify(alarmNotification(h.config, change)));
}

const byMitigation = (records: ActionRecord[], mitigation: string) => records.filter((r) => r.mitigation === mitigation);
/** Half-written: a claim that never got a decision, or an action that never got an outcome. */
const halfWritten = (records: ActionRecord[]) =>
  records.filter((r) => r.decision === 'evaluating' || r.outcome === 'pending').map((r) => `${r.mitigation}: ${r.decision}/${r.outcome}`);

const THROTTLED: Fault = { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
const ECS_DOWN: Fault = { status: 500, type: 'ServerException', message: 'injected: ECS internal error' };

describe('faults: throttling and 5xx from AWS', () => {
  it('UpdateService throttled twice, then accepted: the SDK retries and the service is rolled back once', async () => {
    // GIVEN ECS throttles the first two UpdateService requests
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const { clients, transport } = clientsWithFaults(h, 'ecs', (op, _input, seen) => (op === 'UpdateService' && seen <= 2 ? THROTTLED : undefined));
    // WHEN the error-rate alarm fires right after a deployment
    await assert.doesNotReject(h.invoke(eventFor(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }), { clients }));
    // THEN one UpdateService call made three attempts, and only the third reached ECS
    assert.equal(transport.seen('UpdateService'), 3);
    assert.equal(transport.delegated('UpdateService'), 1);
    assert.equal((await worldState(h)).taskDefinition, 'chatbot-api:1');
    // and the audit log says succeeded, with nothing half-written
    const records = await h.audit.listSince('1970');
    const [rollback, ...others] = byMitigation(records, 'ecs-rollback');
    assert.deepEqual(others, []);
    assert.equal(rollback!.decision, 'acted');
    assert.equal(rollback!.outcome, 'succeeded');
    assert.equal(rollback!.error, undefined);
    assert.deepEqual([rollback!.before?.taskDefinition, rollback!.after?.taskDefinition], ['chatbot-api:2', 'chatbot-api:1']);
    assert.deepEqual(halfWritten(records), []);
    assert.deepEqual(
      h.metrics.filter(([name]) => name !== 'ActionsSkipped'),
      [['ActionsTaken', 'ecs-rollback']],
    );
    assert.deepEqual(await inbox(), ['[P1] automation did ecs-rollback on ecs:prod/chatbot-api (HighAPIErrorRate)']);
  });

  it('UpdateService answers 5xx on every attempt: failed outcome, the invocation fails, retries never act again', async () => {
    // GIVEN ECS answers every UpdateService with HTTP 500
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const { clients, transport } = clientsWithFaults(h, 'ecs', (op) => (op === 'UpdateService' ? ECS_DOWN : undefined));
    const attempts = await maxAttempts(clients);
    const at = new Date();
    const event = eventFor(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at });

    // WHEN the alarm fires
    await assert.rejects(h.invoke(event, { clients, now: at }), (error: unknown) => {
      assert.ok(error instanceof MitigationFailedError, String(error));
      assert.match(error.message, /injected: ECS internal error/);
      return true;
    });

    // THEN the SDK made every attempt it is configured for, none reached ECS, and the world is unchanged
    assert.equal(attempts, 5, 'createClients default');
    assert.equal(transport.seen('UpdateService'), attempts);
    assert.equal(transport.delegated('UpdateService'), 0);
    assert.deepEqual(await worldState(h), UNTOUCHED);
    // the rollback is recorded as acted and failed, with the error; the other branches as skipped; nothing half-written
    const records = await h.audit.listSince('1970');
    const [rollback] = byMitigation(records, 'ecs-rollback');
    assert.equal(rollback!.decision, 'acted');
    assert.equal(rollback!.outcome, 'failed');
    assert.match(rollback!.error ?? '', /injected: ECS internal error/);
    assert.equal(rollback!.before?.taskDefinition, 'chatbot-api:2');
    assert.equal(rollback!.after, undefined);
    assert.deepEqual(
      records.filter((r) => r.mitigation !== 'ecs-rollback').map((r) => r.decision),
      ['skipped', 'skipped', 'skipped'],
    );
    assert.deepEqual(halfWritten(records), []);
    assert.deepEqual(
      h.metrics.filter(([name]) => name !== 'ActionsSkipped'),
      [['ActionsFailed', 'ecs-rollback']],
    );
    assert.deepEqual(
      h.logs.filter((l) => l.level === 'error').map((l) => l.message),
      ['mitigation failed'],
    );
    assert.deepEqual(await inbox(), ['[P1] automation FAILED to ecs-rollback on ecs:prod/chatbot-api (HighAPIErrorRate)']);
    // Observed: the cooldown and the action-window slot ARE consumed. They are reserved with the intent record
    // before acting (audit-log.ts reserve), and a failed apply does not give them back: another alarm for this
    // service within the cooldown is skipped with "cooldown".
    const items = await tableItems(h);
    const cooldown = items.get('COOLDOWN#ecs-rollback#ecs:prod/chatbot-api');
    assert.equal(cooldown?.actionId, rollback!.actionId);
    assert.equal(cooldown?.until, new Date(at.getTime() + h.config.automation.cooldownMinutes * MINUTE).toISOString());
    assert.deepEqual(
      [...items.keys()].filter((k) => k.startsWith('WINDOW#')).map((k) => items.get(k)?.count),
      [1],
    );
    // The handler does not quarantine a failed mitigation itself: the failed invocation is what sends the event,
    // after Lambda's retries, to the function's dead-letter queue (lib/infra/constructs/responder.ts, retryAttempts 2).
    assert.deepEqual(await drain(h, h.world.quarantineQueueUrl), []);

    // WHEN Lambda retries the same event (twice, a minute apart)
    for (const retry of [1, 2]) {
      await assert.rejects(h.invoke(event, { clients, now: new Date(at.getTime() + retry * MINUTE) }), (error: unknown) => {
        // THEN each retry fails again, with the first attempt's error, so the event ends in the dead-letter queue
        assert.ok(error instanceof MitigationFailedError, String(error));
        assert.equal(error.actionId, rollback!.actionId);
        assert.match(error.message, /injected: ECS internal error/);
        return true;
      });
    }
    // and no retry sent another UpdateService, changed the world, or rewrote the audit log
    assert.equal(transport.seen('UpdateService'), attempts);
    assert.deepEqual(await worldState(h), UNTOUCHED);
    assert.deepEqual(await h.audit.listSince('1970'), records);
    assert.deepEqual(await inbox(), []);
  });

  it('DynamoDB throttles the claim on every attempt: the invocation fails before touching the world', async () => {
    // GIVEN DynamoDB throttles every PutItem (the claim); one mitigation (ai-kill-switch) keeps this test short,
    // as each failed call waits out the SDK's throttling backoff
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const throttled: Fault = {
      status: 400,
      type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'injected: throughput exceeded',
    };
    const { clients, transport } = clientsWithFaults(h, 'dynamo', (op) => (op === 'PutItem' ? throttled : undefined));
    const attempts = await maxAttempts(clients);
    // WHEN the accuracy alarm fires
    await assert.rejects(h.invoke(eventFor(h, { alertId: 'ModelAccuracyDrop' }), { clients }), (error: unknown) => {
      assert.equal((error as Error).name, 'ProvisionedThroughputExceededException');
      return true;
    });
    // THEN the claim was tried maxAttempts times, nothing else was written, nothing acted or announced
    assert.equal(transport.seen('PutItem'), attempts);
    assert.equal(transport.delegated('PutItem'), 0);
    assert.deepEqual([transport.seen('UpdateItem'), transport.seen('TransactWriteItems')], [0, 0]);
    assert.deepEqual([...(await tableItems(h)).keys()], []);
    assert.deepEqual(await worldState(h), UNTOUCHED);
    assert.deepEqual(h.metrics, []);
    assert.deepEqual(await inbox(), []);
  });

  it('the automation switch cannot be read (SSM 5xx): fails closed, nothing acted, the records say why', async () => {
    // GIVEN SSM answers 500 to every read of the automation switch (other parameters still read fine)
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const down: Fault = { status: 500, type: 'InternalServerError', message: 'injected: SSM internal error' };
    const { clients, transport } = clientsWithFaults(h, 'ssm', (op, input) =>
      op === 'GetParameter' && input.Name === h.world.automationModeParameter ? down : undefined,
    );
    const attempts = await maxAttempts(clients);
    // WHEN the error-rate alarm fires right after a deployment (it would roll back if enabled)
    await assert.doesNotReject(h.invoke(eventFor(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }), { clients }));
    // THEN the switch was retried, then read as disabled
    assert.equal(transport.seen('GetParameter'), attempts);
    const note = `automation switch /chatbot/automation-mode unreadable: injected: SSM internal error`;
    assert.deepEqual(
      h.logs.filter((l) => l.level !== 'info').map((l) => [l.level, l.message, l.extra?.note]),
      [['warn', 'automation switch fails closed', note]],
    );
    // every mitigation is recorded as skipped, with the reason; nothing acted, changed or announced
    const records = await h.audit.listSince('1970');
    assert.deepEqual(records.map((r) => r.mitigation).sort(), ['ecs-rollback', 'fallback-mode', 'rate-limit', 'rds-scale-up']);
    for (const r of records) {
      assert.deepEqual([r.decision, r.outcome, r.mode, r.reason], ['skipped', undefined, 'disabled', `automation is disabled (${note})`], r.mitigation);
    }
    assert.deepEqual(await worldState(h), UNTOUCHED);
    assert.deepEqual(
      h.metrics.map(([name]) => name),
      ['ActionsSkipped', 'ActionsSkipped', 'ActionsSkipped', 'ActionsSkipped'],
    );
    assert.deepEqual(await inbox(), []);
  });
});

describe('faults after the claim: nothing is left half-written', () => {
  it('DynamoDB 5xx on the reservation: the record does not stay "evaluating" and a retry does not pass silently', async () => {
    // GIVEN DynamoDB answers 500 to every TransactWriteItems (the cooldown/window/intent reservation)
    const h = await fresh();
    const down: Fault = { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected: DynamoDB internal error' };
    const { clients, transport } = clientsWithFaults(h, 'dynamo', (op) => (op === 'TransactWriteItems' ? down : undefined));
    const at = new Date();
    const event = eventFor(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at });
    // WHEN the alarm fires: the invocation fails and the world is unchanged
    await assert.rejects(h.invoke(event, { clients, now: at }), /injected: DynamoDB internal error/);
    assert.equal(transport.seen('TransactWriteItems'), await maxAttempts(clients));
    assert.deepEqual(await worldState(h), UNTOUCHED);
    // THEN nothing is half-written
    assert.deepEqual(halfWritten(await h.audit.listSince('1970')), []);
    // and Lambda's retry does not pass silently while the rollback never happened
    await assert.rejects(h.invoke(event, { clients, now: new Date(at.getTime() + MINUTE) }));
  });

  it('reading the service after a successful rollback fails: the record gets a final outcome', async () => {
    // GIVEN ECS fails the first DescribeServices call after the rollback (all its attempts), then recovers
    const h = await fresh();
    let failuresLeft = 0;
    const { clients, transport } = clientsWithFaults(h, 'ecs', (op) => {
      if (op !== 'DescribeServices' || transport.seen('UpdateService') === 0 || failuresLeft === 0) return undefined;
      failuresLeft -= 1;
      return ECS_DOWN;
    });
    failuresLeft = await maxAttempts(clients);
    const at = new Date();
    const event = eventFor(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at });
    // WHEN the alarm fires: the rollback happens, then the after-read fails and so does the invocation
    await assert.rejects(h.invoke(event, { clients, now: at }), /injected: ECS internal error/);
    assert.equal((await worldState(h)).taskDefinition, 'chatbot-api:1');
    assert.equal(failuresLeft, 0);
    // THEN the record has a final outcome
    assert.deepEqual(halfWritten(await h.audit.listSince('1970')), []);
    // (and Lambda's retry, with ECS back, cannot leave it pending either)
    await h.invoke(event, { clients, now: new Date(at.getTime() + MINUTE) }).catch(() => undefined);
    assert.deepEqual(halfWritten(await h.audit.listSince('1970')), []);
  });
});

/** The AI feature flag's SSM version: 1 as the sample world creates it, one more per write. */
async function aiFlagVersion(h: ResponderHarness): Promise<number> {
  return (await h.clients.ssm.send(new GetParameterCommand({ Name: '/feature/ai-model' }))).Parameter!.Version!;
}

describe('faults in the idempotency bookkeeping: lost responses and concurrent duplicates', () => {
  it('the claim is written but its response is lost (5xx): the SDK retry finds its own claim and the action happens once', async () => {
    // GIVEN DynamoDB writes the first claim (PutItem of an ACTION# item), then answers it with HTTP 500, so the
    // SDK retries a write that already happened and the retry fails its own attribute_not_exists condition
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const lost: Fault = { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected: response lost after the write' };
    let claimsLost = 0;
    const { clients, transport } = clientsWithFaults(h, 'dynamo', (op, input) => {
      const pk = (input.Item as { pk?: { S?: string } } | undefined)?.pk?.S ?? '';
      if (op !== 'PutItem' || !pk.startsWith('ACTION#') || claimsLost > 0) return undefined;
      claimsLost += 1;
      return { lost };
    });
    // WHEN the accuracy alarm fires (one mitigation: ai-kill-switch)
    await assert.doesNotReject(h.invoke(eventFor(h, { alertId: 'ModelAccuracyDrop' }), { clients }));
    // THEN the kill switch was flipped, once
    assert.deepEqual((await worldState(h)).flags, { ...UNTOUCHED.flags, '/feature/ai-model': 'false' });
    assert.equal(await aiFlagVersion(h), 2);
    // the claim took two attempts, both reached DynamoDB, and the second was not taken for a duplicate
    assert.equal(claimsLost, 1);
    assert.equal(transport.seen('PutItem'), 2);
    assert.equal(transport.delegated('PutItem'), 2);
    assert.deepEqual(
      h.logs.filter((l) => l.message.startsWith('duplicate')),
      [],
    );
    // the audit record is final: acted and succeeded, announced; nothing half-written
    const records = await h.audit.listSince('1970');
    assert.deepEqual(
      records.map((r) => [r.mitigation, r.decision, r.outcome]),
      [['ai-kill-switch', 'acted', 'succeeded']],
    );
    assert.deepEqual([records[0]!.before?.value, records[0]!.after?.value], ['true', 'false']);
    assert.ok(records[0]!.announcedAt);
    assert.deepEqual(halfWritten(records), []);
    assert.deepEqual(h.metrics, [['ActionsTaken', 'ai-kill-switch']]);
    // and on-call was told once
    assert.deepEqual(await inbox(), ['[P1] automation did ai-kill-switch on ssm:/feature/ai-model (ModelAccuracyDrop)']);
  });

  it('a duplicate delivery while the first is still announcing: one action, one announcement', async () => {
    // GIVEN the first delivery's announcement (SNS Publish to the on-call topic) is slow: it is held at the
    // transport while the same notification is delivered again, and goes out once that second delivery is done.
    // The second delivery thus finds the record final (acted/succeeded) but not yet marked announced.
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const event = eventFor(h, { alertId: 'ModelAccuracyDrop' });
    let second: Promise<void> | undefined;
    const { clients, transport } = clientsWithFaults(h, 'sns', (op, input) => {
      if (op !== 'Publish' || input.TopicArn !== h.world.announceTopicArn || second) return undefined;
      second = h.invoke(event, { clients });
      return { holdUntil: second };
    });
    // WHEN the notification is delivered, and delivered again while the first is announcing
    await assert.doesNotReject(h.invoke(event, { clients }));
    assert.ok(second, 'the first delivery announced');
    await assert.doesNotReject(second);
    // THEN the second delivery saw the final, unannounced record and stopped there
    assert.deepEqual(
      h.logs.filter((l) => l.message.startsWith('duplicate')).map((l) => [l.extra?.decision, l.extra?.outcome]),
      [['acted', 'succeeded']],
    );
    // one action: the flag was written once, one record, one ActionsTaken
    assert.equal((await worldState(h)).flags['/feature/ai-model'], 'false');
    assert.equal(await aiFlagVersion(h), 2);
    const records = await h.audit.listSince('1970');
    assert.deepEqual(
      records.map((r) => [r.mitigation, r.decision, r.outcome]),
      [['ai-kill-switch', 'acted', 'succeeded']],
    );
    assert.ok(records[0]!.announcedAt);
    assert.deepEqual(h.metrics, [['ActionsTaken', 'ai-kill-switch']]);
    // and one announcement: one message on the on-call topic, one Publish
    assert.deepEqual(await inbox(), ['[P1] automation did ai-kill-switch on ssm:/feature/ai-model (ModelAccuracyDrop)']);
    assert.equal(transport.seen('Publish'), 1);
  });

  it("the first attempt acted but could not announce: Lambda's first retry (1 minute later) announces it, once", async () => {
    // GIVEN SNS answers 500 to every Publish of the first delivery: the kill switch is flipped and recorded as
    // succeeded, the announcement fails, and so does the invocation
    const h = await fresh();
    const inbox = await announcementInbox(h);
    const snsDown: Fault = { status: 500, type: 'InternalError', message: 'injected: SNS internal error' };
    let snsUp = false;
    const { clients, transport } = clientsWithFaults(h, 'sns', (op) => (op === 'Publish' && !snsUp ? snsDown : undefined));
    const at = new Date();
    const event = eventFor(h, { alertId: 'ModelAccuracyDrop', at });
    await assert.rejects(h.invoke(event, { clients, now: at }), (error: unknown) => {
      assert.ok(error instanceof MitigationFailedError, String(error));
      assert.match(String((error.cause as Error | undefined)?.message), /injected: SNS internal error/);
      return true;
    });
    assert.equal(transport.seen('Publish'), await maxAttempts(clients));
    assert.equal(await aiFlagVersion(h), 2);
    const [unannounced] = await h.audit.listSince('1970');
    assert.deepEqual(
      [unannounced!.decision, unannounced!.outcome, unannounced!.announcedAt, unannounced!.updatedAt],
      ['acted', 'succeeded', undefined, at.toISOString()],
    );
    assert.ok(unannounced!.announceFailedAt, 'the failed announcement is recorded for the retry');
    assert.deepEqual(await inbox(), []);

    // WHEN SNS is back and Lambda retries the event 1 minute later (before a claim counts as stale)
    snsUp = true;
    await assert.doesNotReject(h.invoke(event, { clients, now: new Date(at.getTime() + 1 * MINUTE) }));
    // THEN the action is announced, once, and marked announced; nothing acted again
    assert.deepEqual(await inbox(), ['[P1] automation did ai-kill-switch on ssm:/feature/ai-model (ModelAccuracyDrop)']);
    const [announced] = await h.audit.listSince('1970');
    assert.equal(announced!.announcedAt, new Date(at.getTime() + 1 * MINUTE).toISOString());
    assert.equal(announced!.announceFailedAt, undefined);
    assert.equal(await aiFlagVersion(h), 2);
    // and a later delivery does not announce it again
    await assert.doesNotReject(h.invoke(event, { clients, now: new Date(at.getTime() + 4 * MINUTE) }));
    assert.deepEqual(await inbox(), []);
    assert.equal(transport.delegated('Publish'), 1);
    assert.deepEqual(
      h.metrics.filter(([name]) => name === 'ActionsTaken'),
      [['ActionsTaken', 'ai-kill-switch']],
    );
  });
});

describe('faults after the decision: what was done stands, and is reported as done', () => {
  /** The warnings and errors the responder logged, with the action each names. */
  const problems = (h: ResponderHarness) => h.logs.filter((l) => l.level !== 'info').map((l) => [l.level, l.message, l.extra?.actionId]);

  it('the kill switch was flipped but SNS is down: logged as applied-but-unannounced, counted as taken, not failed', async () => {
    // GIVEN SNS answers 500 to every Publish
    const h = await fresh();
    const snsDown: Fault = { status: 500, type: 'InternalError', message: 'injected: SNS internal error' };
    const { clients } = clientsWithFaults(h, 'sns', (op) => (op === 'Publish' ? snsDown : undefined));
    // WHEN the accuracy alarm fires: the invocation fails, so that Lambda's retry announces it
    await assert.rejects(h.invoke(eventFor(h, { alertId: 'ModelAccuracyDrop' }), { clients }), MitigationFailedError);
    // THEN the flag was flipped and the record says acted/succeeded
    const [action] = await h.audit.listSince('1970');
    assert.deepEqual([action!.decision, action!.outcome, (await worldState(h)).flags['/feature/ai-model']], ['acted', 'succeeded', 'false']);
    // and the log says what happened: applied, then the announcement failed (not "failed before acting")
    assert.deepEqual(problems(h), [['error', 'mitigation applied, but announcing it failed', action!.actionId]]);
    assert.match(String(h.logs.find((l) => l.level === 'error')?.extra?.error), /injected: SNS internal error/);
    // and it is counted once, as taken
    assert.deepEqual(h.metrics, [['ActionsTaken', 'ai-kill-switch']]);
  });

  it('the kill switch was flipped and announced but its verification could not start: logged as such, counted as taken; the retry starts it', async () => {
    // GIVEN the verification's first start fails (Step Functions unavailable), later ones work
    const h = await fresh();
    const started: string[] = [];
    let sfnUp = false;
    const verification = {
      start: async (actionId: string) => {
        if (!sfnUp) throw new Error('injected: StartExecution unavailable');
        started.push(actionId);
      },
    };
    const at = new Date();
    const event = eventFor(h, { alertId: 'ModelAccuracyDrop', at });
    // WHEN the accuracy alarm fires: the invocation fails
    await assert.rejects(h.invoke(event, { now: at, verification }), (error: unknown) => {
      assert.ok(error instanceof MitigationFailedError, String(error));
      assert.match(String((error.cause as Error | undefined)?.message), /injected: StartExecution unavailable/);
      return true;
    });
    // THEN the action stands, announced; the log says the verification did not start; counted once, as taken
    const [action] = await h.audit.listSince('1970');
    assert.deepEqual([action!.decision, action!.outcome], ['acted', 'succeeded']);
    assert.ok(action!.announcedAt);
    assert.deepEqual(problems(h), [['error', 'mitigation applied, but starting its verification failed', action!.actionId]]);
    assert.deepEqual(h.metrics, [['ActionsTaken', 'ai-kill-switch']]);
    // WHEN Lambda retries a minute later, Step Functions back
    sfnUp = true;
    await assert.doesNotReject(h.invoke(event, { now: new Date(at.getTime() + MINUTE), verification }));
    // THEN the retry starts the verification, and neither acts nor counts again
    assert.deepEqual(started, [action!.actionId]);
    assert.equal(await aiFlagVersion(h), 2);
    assert.deepEqual(h.metrics, [['ActionsTaken', 'ai-kill-switch']]);
  });

  it('a refused kill switch (automation disabled) could not be announced: logged as such, counted as skipped, not failed', async () => {
    // GIVEN automation is disabled, and SNS answers 500 to every Publish
    const h = await fresh();
    await h.clients.ssm.send(new PutParameterCommand({ Name: h.world.automationModeParameter, Value: 'disabled', Overwrite: true, Type: 'String' }));
    const snsDown: Fault = { status: 500, type: 'InternalError', message: 'injected: SNS internal error' };
    const { clients } = clientsWithFaults(h, 'sns', (op) => (op === 'Publish' ? snsDown : undefined));
    // WHEN the accuracy alarm fires: the refusal of a protective action must reach on-call, so the invocation fails
    await assert.rejects(h.invoke(eventFor(h, { alertId: 'ModelAccuracyDrop' }), { clients }), MitigationFailedError);
    // THEN the refusal is recorded, nothing changed, and the log and the metrics say so: skipped, not failed
    const [action] = await h.audit.listSince('1970');
    assert.deepEqual([action!.decision, action!.outcome, action!.reason], ['skipped', undefined, 'automation is disabled']);
    assert.ok(action!.announceFailedAt);
    assert.equal((await worldState(h)).flags['/feature/ai-model'], 'true');
    assert.deepEqual(problems(h), [['error', 'mitigation decided, but announcing the decision failed', action!.actionId]]);
    assert.deepEqual(h.metrics, [['ActionsSkipped', 'ai-kill-switch']]);
  });
});
