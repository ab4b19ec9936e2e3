import { z } from 'zod';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { resolveAlarms, runbookUrl } from '../../lib/core/alarms/resolve';
import type { Config } from '../../lib/core/config/schema';
import { findAlert, parseAlarmName, relatedTo, type Severity } from '../../lib/core/catalog';
import { executionName, isMoreSevere, parseTransitionKey, planSteps, policyFor, transitionKey } from '../../lib/core/escalation-plan';
import { describeHit, silencedBy, type SilenceHit } from '../../lib/core/silences';
import { alarmKey, foreignSource } from '../../lib/core/alarm-source';
import { IncidentStateError, type Incident, type Member, type TimelineEvent } from '../shared/storage/incident';
import type { EscalationDeps } from './deps';
import { notifyPaged } from './notify';
import { requestTicket } from './pager';

/** The EventBridge event CloudWatch sends when an alarm changes state (the fields the starter reads). */
const AlarmStateChange = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  account: z.string(),
  region: z.string(),
  detail: z.object({
    alarmName: z.string().min(1),
    state: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), reason: z.string().optional(), timestamp: z.string() }),
    previousState: z.object({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']) }).optional(),
  }),
});

/** What the starter did with an event. */
export type StartOutcome =
  | { readonly outcome: 'opened'; readonly incidentId: string; readonly executionArn?: string; readonly silenced?: SilenceHit }
  | { readonly outcome: 'joined'; readonly incidentId: string; readonly reclassified?: Severity; readonly silenced?: SilenceHit }
  | { readonly outcome: 'cleared'; readonly incidentId: string; readonly resolved: boolean }
  /** A retry found the incident stored without its escalation (the start had failed) and started it. */
  | { readonly outcome: 'resumed'; readonly incidentId: string; readonly executionArn: string }
  | { readonly outcome: 'ignored'; readonly reason: string };

const GROUPING_LOCK = 'grouping';

const notifying = new WeakMap<Config, ReadonlySet<string>>();
/**
 * Names of the alarms that notify, from the alarm specs the stack synthesizes: CloudWatch sends EventBridge every
 * state change, actions or not, so the composite's per-region children (no actions of their own) reach the
 * starter too, and must not page when the composite holds them back.
 */
function notifyingAlarms(config: Config): ReadonlySet<string> {
  let names = notifying.get(config);
  if (!names)
    notifying.set(
      config,
      (names = new Set(
        resolveAlarms(config)
          .filter((spec) => spec.notifies)
          .map((spec) => spec.alarmName),
      )),
    );
  return names;
}

/**
 * The incident starter: an alarm's transition into ALARM opens an incident (and its escalation execution) or
 * joins an open one of a related alert of the same service, or of the same alert within the group window; a
 * transition to OK clears the alarm, and the last alarm cleared resolves the incident. A silenced alarm (ad-hoc
 * silence, maintenance or low-traffic window) still opens or joins its incident, with a `silenced` event in the
 * timeline, but starts no escalation and re-classifies nothing; an unsilenced alarm joining an incident whose
 * escalation never started (all silenced so far) starts it. Only alarms that notify open or join incidents; an
 * OK clears any member.
 *
 * Resumable: the incident is stored with its execution's name before the execution starts, so a retry after a
 * failed or timed-out start (the incident exists: "duplicate") starts it with the same name and input, which Step
 * Functions treats as the same execution.
 */
export async function onAlarmStateChange(deps: EscalationDeps, event: unknown): Promise<StartOutcome> {
  const parsed = AlarmStateChange.safeParse(event);
  if (!parsed.success) return ignore(deps, `not a CloudWatch alarm state change: ${parsed.error.issues[0]?.message}`);
  const { detail, account, region } = parsed.data;
  const { state } = detail;
  const name = parseAlarmName(deps.config.prefix, detail.alarmName);
  const alert = name && findAlert(name.alertId);
  if (!name || !alert || alertSettings(alert, deps.config).enabled === false) return ignore(deps, `not an alarm of this environment: ${detail.alarmName}`);
  const source = { alarmName: detail.alarmName, account, region };
  const foreign = foreignSource(deps.config, source);
  if (foreign) return ignore(deps, foreign);
  // From here on the alarm is named with its region (and account) outside the home region: every region has one
  // of this name, and each clears only its own (alarm-source.ts).
  const alarmName = alarmKey(deps.config, source);

  const at = new Date(state.timestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(at.getTime())) return ignore(deps, `invalid state timestamp ${state.timestamp}`);
  // Before the notifying check: an alarm that joined before that check existed still leaves its incident.
  if (state.value === 'OK') return cleared(deps, alarmName, at);
  if (state.value !== 'ALARM') return ignore(deps, `${alarmName} went to ${state.value}: nothing to escalate`);
  if (!notifyingAlarms(deps.config).has(detail.alarmName))
    return ignore(deps, `${alarmName} has no actions (a composite alarm's child, or not notifying): it opens no incident`);

  // EventBridge delivers in any order: an ALARM older than the alarm's last OK is a state it has already left.
  const lastOk = await deps.store.lastOk(alarmName);
  if (lastOk !== undefined && lastOk > at.toISOString()) return ignore(deps, `${alarmName}: ALARM of ${at.toISOString()} arrived after its OK of ${lastOk}`);

  const perService = alert.scope === 'service' || alert.scope === 'service-rds';
  const member: Member = { alarmName, alertId: alert.id, service: perService ? name.instance : undefined, trigger: transitionKey(alarmName, at.toISOString()) };
  const severity = alertSettings(alert, deps.config).severity;
  const windowUntil = new Date(at.getTime() + deps.config.escalation.groupWindowMinutes * 60_000).toISOString();
  const now = deps.now();
  const silence = silencedBy(now, { alertId: alert.id, category: alert.category, service: member.service }, await deps.silences.listActive(now), deps.config);
  const silencedEvent = (hit: SilenceHit, deferred: boolean): TimelineEvent => ({
    at: now.toISOString(),
    type: 'silenced',
    detail: `${alarmName}: ${describeHit(hit)}; nobody is paged${deferred ? ` until then: the escalation starts at ${hit.until} if the incident is still open` : ', no escalation'}`,
    data: { ...hit },
  });

  const outcome = await deps.store.withLock(GROUPING_LOCK, async (): Promise<StartOutcome> => {
    const group = await deps.store.findGroup(member, relatedTo(alert.id), deps.now());
    const joined =
      group === undefined
        ? undefined
        : await deps.store.join(group, member, windowUntil, {
            at: at.toISOString(),
            type: 'joined',
            detail: `${alarmName} (${severity}) joined: ${alert.summary}`,
          });
    // `closed`: the incident was resolved between findGroup and the join (resolves take no lock); this alarm opens its own.
    if (group !== undefined && joined !== 'closed') {
      if (joined === 'duplicate') return resumeOrIgnore(deps, group, `duplicate: ${member.trigger} is already part of ${group}`);
      if (silence) {
        await deps.store.addEvent(group, silencedEvent(silence, false));
        return { outcome: 'joined', incidentId: group, silenced: silence };
      }
      const incident = (await deps.store.get(group))!;
      // Its escalation waits for a silence to end (or, opened before deferral existed, never started): every
      // member so far was silenced.
      const silencedSoFar =
        incident.escalationDeferredUntil !== undefined ||
        (incident.executionArn === undefined && policyFor(findAlert(incident.alertId)!, deps.config).steps.length > 0);
      if (silencedSoFar && policyFor(alert, deps.config).steps.length > 0) {
        await reclassify(deps, incident, alert.id, severity, `${alarmName} is not silenced: the escalation starts`);
        return { outcome: 'joined', incidentId: group, reclassified: severity };
      }
      if (isMoreSevere(severity, incident.severity)) {
        await reclassify(deps, incident, alert.id, severity);
        return { outcome: 'joined', incidentId: group, reclassified: severity };
      }
      return { outcome: 'joined', incidentId: group };
    }

    const policy = policyFor(alert, deps.config);
    const pages = policy.steps.length > 0;
    const incident: Incident = {
      incidentId: member.trigger,
      alarmName,
      alertId: alert.id,
      service: member.service,
      severity,
      policyId: policy.id,
      summary: alert.summary,
      runbookUrl: runbookUrl(deps.config, alert.id),
      customerFacing: alert.customerFacing,
      status: 'open',
      openedAt: at.toISOString(),
      triggers: [member.trigger],
      openAlarms: [alarmName],
      // Recorded before the start (see resumeOrIgnore). A silence ends while its alarm may still be in ALARM: the
      // escalation is planned from the silence's end, and each step pages only if the incident is still open and no
      // longer silenced then (pager.ts).
      ...(pages ? { executionName: executionName(member.trigger, alert.id) } : {}),
      ...(pages && silence ? { escalationDeferredUntil: silence.until } : {}),
    };
    const opened = await deps.store.open(incident, member, windowUntil, {
      at: incident.openedAt,
      type: 'fired',
      detail: `${alarmName} (${severity}) in ALARM: ${state.reason ?? alert.summary}`,
    });
    if (!opened) return resumeOrIgnore(deps, incident.incidentId, `duplicate: incident ${incident.incidentId} exists`);
    if (silence) {
      await deps.store.addEvent(incident.incidentId, silencedEvent(silence, pages));
      if (pages) await startEscalation(deps, incident);
      deps.logger.info('incident opened silenced: escalation deferred', {
        incidentId: incident.incidentId,
        silence,
        deferredUntil: pages ? silence.until : 'none (digest)',
      });
      return { outcome: 'opened', incidentId: incident.incidentId, silenced: silence };
    }
    if (!pages) {
      await digestOnly(deps, incident);
      deps.logger.info('incident opened', { incidentId: incident.incidentId, policy: policy.id, execution: 'none (digest)' });
      return { outcome: 'opened', incidentId: incident.incidentId };
    }
    const arn = await startEscalation(deps, incident);
    deps.logger.info('incident opened', { incidentId: incident.incidentId, policy: policy.id, execution: incident.executionName });
    return { outcome: 'opened', incidentId: incident.incidentId, executionArn: arn };
  });
  // An OK newer than this ALARM that arrived while it was being recorded found no membership yet: it leaves now.
  // (Both sides write, then read the other's record, with consistent reads: at least one of them sees the other.)
  const okSince = outcome.outcome === 'opened' || outcome.outcome === 'joined' ? await deps.store.lastOk(alarmName) : undefined;
  if (okSince !== undefined && okSince > at.toISOString()) await cleared(deps, alarmName, new Date(okSince));
  return outcome;
}

/**
 * Starts the escalation recorded with the incident (`executionName`) and records its ARN; an execution of the
 * escalation it replaces (re-classification) is stopped first, so two timetables never page at once. The input is
 * computed from the stored incident only (the alert whose policy it follows, from when, severity), so a retry
 * sends the same name and input: Step Functions returns the running execution for an identical StartExecution on
 * a Standard workflow, and answers ExecutionAlreadyExists for a closed one or a different input, which the runner
 * takes for the existing execution (runner.ts). Either way one execution, one first page.
 */
async function startEscalation(deps: EscalationDeps, incident: Incident): Promise<string> {
  const name = incident.executionName!;
  const alert = findAlert(incident.reclassifiedBy?.alertId ?? incident.alertId)!;
  const from = new Date(incident.reclassifiedBy?.at ?? incident.escalationDeferredUntil ?? incident.openedAt);
  const steps = planSteps(policyFor(alert, deps.config), from, {
    config: deps.config,
    severity: incident.severity,
    customerFacing: incident.customerFacing || alert.customerFacing,
  });
  if (incident.executionArn !== undefined && !isExecutionOf(incident.executionArn, name))
    await deps.runner.stop(incident.executionArn, `re-classified: replaced by ${name}`);
  const { arn } = await deps.runner.start(name, { incidentId: incident.incidentId, steps });
  await deps.store.setExecution(incident.incidentId, { name, arn }, incident.escalationDeferredUntil);
  return arn;
}

/** An execution ARN ends with its name (Step Functions: `arn:...:execution:<machine>:<name>`). */
const isExecutionOf = (arn: string, name: string): boolean => arn.endsWith(`:${name}`);

/**
 * A transition already recorded (a duplicate delivery, or Lambda's retry of a failed attempt). An open incident
 * whose escalation was recorded but never started (the attempt failed between the two: opening or
 * re-classification) gets it now.
 */
async function resumeOrIgnore(deps: EscalationDeps, incidentId: string, reason: string): Promise<StartOutcome> {
  const incident = await deps.store.get(incidentId);
  // A digest-only incident has no escalation to resume; its timeline entries are written once, so a retry redoes them.
  if (incident?.status === 'open' && incident.executionName === undefined && policyFor(findAlert(incident.alertId)!, deps.config).steps.length === 0)
    await digestOnly(deps, incident);
  const started = incident?.executionArn !== undefined && incident.executionName !== undefined && isExecutionOf(incident.executionArn, incident.executionName);
  if (incident?.status !== 'open' || incident.executionName === undefined || started) return ignore(deps, reason);
  const executionArn = await startEscalation(deps, incident);
  deps.logger.warn('escalation resumed: the incident was stored but its escalation had not started', { incidentId, execution: incident.executionName });
  return { outcome: 'resumed', incidentId, executionArn };
}

/**
 * A policy that pages nobody (P4): the incident waits for the weekly digest, and the matrix's "ticket backlog" is
 * asked of the tracker when one takes this severity. Idempotent, for the retry of an attempt that failed here.
 */
async function digestOnly(deps: EscalationDeps, incident: Incident): Promise<void> {
  await deps.store.addEvent(
    incident.incidentId,
    { at: incident.openedAt, type: 'skipped-step', detail: `${incident.policyId}: nobody is paged; listed in the weekly digest` },
    'digest',
  );
  if (deps.config.integrations.tickets?.severities.includes(incident.severity)) await requestTicket(deps, incident, { backlog: true });
}

/**
 * A higher-severity alert joined (or the first unsilenced one, `why` says so): the incident takes its severity,
 * and its escalation follows that alert's policy from this moment (a running execution stops; a new one starts
 * with the new timetable).
 */
async function reclassify(deps: EscalationDeps, incident: Incident, alertId: string, severity: Severity, why?: string): Promise<void> {
  const policy = policyFor(findAlert(alertId)!, deps.config);
  const now = deps.now().toISOString();
  const name = executionName(incident.incidentId, incident.alertId, `-${severity}`);
  // Recorded first (and the deferral with it: the new first step runs at once and must not take itself for the
  // deferred one), so that a retry after a failure at any later step finishes the switch (resumeOrIgnore).
  await deps.store.reclassify(
    incident.incidentId,
    severity,
    policy.id,
    name,
    { alertId, at: now },
    {
      at: now,
      type: 'reclassified',
      detail: `${why ? `${why}; ` : ''}${incident.severity} -> ${severity} (${alertId}); escalation follows ${policy.id} from now`,
    },
  );
  await startEscalation(deps, (await deps.store.get(incident.incidentId))!);
  deps.logger.info('incident re-classified', { incidentId: incident.incidentId, from: incident.severity, to: severity });
}

/**
 * An alarm is OK: it leaves its incident's open alarms (one atomic DELETE), and the incident resolves if none is
 * left at the moment of the resolve (a conditional write: exactly one of two OKs arriving together resolves it,
 * and an alarm that joined meanwhile keeps it open). The index entry goes last, so a retry after a failure at
 * any step finds the incident again; every step is idempotent.
 */
async function cleared(deps: EscalationDeps, alarmName: string, at: Date): Promise<StartOutcome> {
  await deps.store.recordOk(alarmName, at.toISOString());
  const membership = await deps.store.membership(alarmName);
  if (membership === undefined) return ignore(deps, `${alarmName} is OK and belongs to no open incident`);
  // An OK older than the ALARM that made the alarm a member (delivered late) says nothing about that ALARM.
  const memberSince = membership.trigger === undefined ? undefined : parseTransitionKey(membership.trigger).at;
  if (memberSince !== undefined && memberSince > at.toISOString())
    return ignore(deps, `${alarmName}: OK of ${at.toISOString()} arrived after its ALARM of ${memberSince}`);
  const { incidentId } = membership;
  const { incident } = await deps.store.alarmCleared(incidentId, alarmName);
  if (incident?.status !== 'open') {
    await deps.store.releaseAlarm(alarmName, membership);
    return ignore(deps, `${alarmName} is OK; its incident ${incidentId} is ${incident ? incident.status : 'gone'}`);
  }
  const remaining = incident.openAlarms;
  await deps.store.addEvent(
    incidentId,
    { at: at.toISOString(), type: 'resolved', detail: `${alarmName} is OK${remaining.length ? `; still in ALARM: ${remaining.join(', ')}` : ''}` },
    `ok:${alarmName}`,
  );
  let resolved = false;
  if (remaining.length === 0) {
    try {
      await resolveIncident(deps, incidentId, 'alarm OK', undefined, { whenNoOpenAlarms: true });
      resolved = true;
    } catch (error) {
      if (!(error instanceof IncidentStateError)) throw error;
      deps.logger.info('incident not resolved by this OK', { incidentId, alarmName, reason: error.reason });
    }
  }
  await deps.store.releaseAlarm(alarmName, membership);
  return { outcome: 'cleared', incidentId, resolved };
}

/**
 * Resolves an incident (alarm OK, or a human): ends its execution, so nobody is paged again, and tells who was
 * paged. `whenNoOpenAlarms`: only if no alarm of it is in ALARM when the resolve is written.
 */
export async function resolveIncident(
  deps: EscalationDeps,
  incidentId: string,
  by: string,
  note?: string,
  options: { whenNoOpenAlarms?: boolean } = {},
): Promise<Incident> {
  const incident = await deps.store.resolve(incidentId, by, deps.now().toISOString(), note, options);
  if (incident.executionArn) await deps.runner.stop(incident.executionArn, `resolved by ${by}`);
  await notifyPaged(deps, incident, 'resolve');
  deps.logger.info('incident resolved', { incidentId, by, timeToResolveSeconds: incident.timeToResolveSeconds });
  return incident;
}

/** Acknowledges an incident: the ack-deadline re-pages stop; escalation of an unresolved incident goes on. */
export async function acknowledgeIncident(deps: EscalationDeps, incidentId: string, by: string): Promise<void> {
  await deps.store.acknowledge(incidentId, by, deps.now().toISOString());
  const incident = (await deps.store.get(incidentId))!;
  await notifyPaged(deps, incident, 'acknowledge');
}

function ignore(deps: EscalationDeps, reason: string): StartOutcome {
  deps.logger.info('no escalation', { reason });
  return { outcome: 'ignored', reason };
}
