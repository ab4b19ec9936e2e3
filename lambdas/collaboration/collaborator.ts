import type { DynamoDBRecord } from 'aws-lambda';
import { IntegrationError } from '../integrations/http';
import type { Incident } from '../shared/storage/incident';
import { Breaker } from './breaker';
import type { CollaborationDeps } from './deps';
import type { Integration } from './integration';
import { pagerDuty } from './pager-duty';
import { toSignal, type Signal } from './signal';
import { slackChannel } from './slack-channel';
import { statusPage } from './status-page';
import { ticketing } from './ticketing';

/**
 * In this order for every signal: the channel hears first, then customers (status page), then trackers and
 * PagerDuty. The order is what a P1 looks like from outside: channel, invite, page, actions, status page.
 */
export const INTEGRATIONS: readonly Integration[] = [slackChannel, statusPage, ticketing, pagerDuty];

/** Sequence numbers of records to retry (Lambda's ReportBatchItemFailures for streams). */
export interface BatchResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Takes a batch of the audit table's stream, in order. Integration failures are recorded in the incident's
 * timeline and never fail the batch; anything else (the table itself failing) stops at that record, which Lambda
 * retries from there, so nothing is skipped and the order holds.
 */
export async function processRecords(deps: CollaborationDeps, records: readonly DynamoDBRecord[]): Promise<BatchResult> {
  const breaker = new Breaker(deps.runtime);
  for (const record of records) {
    const signal = toSignal(record);
    if ('ignored' in signal) {
      // The item itself stays in the table for review; what is expected (an action's intent) is not worth a line.
      if (signal.malformed) deps.logger.warn('stream record ignored', { sequenceNumber: record.dynamodb?.SequenceNumber, reason: signal.ignored });
      continue;
    }
    try {
      await handleSignal(deps, signal, breaker);
    } catch (error) {
      deps.logger.error('collaboration record failed; it will be retried', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error: (error as Error).message,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

/** Every configured integration, in order, for one signal. */
export async function handleSignal(deps: CollaborationDeps, signal: Signal, breaker: Breaker = new Breaker(deps.runtime)): Promise<void> {
  const incident = await incidentOf(deps, signal);
  if (!incident) {
    // An action the responder took before the starter opened its incident: the channel posts it when it opens.
    deps.logger.info('no incident for this signal yet', { signal: signal.kind === 'action' ? signal.action.actionId : signal.key });
    return;
  }
  for (const integration of INTEGRATIONS) {
    if (!integration.enabled(deps.config)) continue;
    const http = { policy: deps.config.integrations.http, runtime: breaker.runtimeFor(integration.name) };
    try {
      await integration.handle({ ...deps, http }, incident, signal);
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      breaker.trip(integration.name, error.message);
      deps.logger.warn('integration failed; paging and mitigation go on', {
        integration: integration.name,
        incidentId: incident.incidentId,
        error: error.message,
      });
      await deps.store.addEvent(incident.incidentId, {
        at: deps.now().toISOString(),
        type: 'integration-failed',
        detail: error.message,
        data: { integration: integration.name },
      });
    }
  }
}

/** The incident a signal is about: the event's, or the open incident whose triggers include the action's. */
async function incidentOf(deps: CollaborationDeps, signal: Signal): Promise<Incident | undefined> {
  if (signal.kind === 'event') return deps.store.get(signal.incidentId);
  const { action } = signal;
  const own = await deps.store.get(action.incidentId);
  if (own) return own;
  const joined = await deps.store.findByAlarm(action.alarmName);
  const incident = joined === undefined ? undefined : await deps.store.get(joined);
  return incident?.triggers.includes(action.incidentId) ? incident : undefined;
}
