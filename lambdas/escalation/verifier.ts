import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { findAlert } from '../../lib/core/catalog';
import { planSteps, policyFor } from '../../lib/core/escalation-plan';
import type { EscalationDeps } from './deps';
import { page } from './notify';

const VerifyInput = z.object({ actionId: z.string().min(1) });

/** What the verification found. */
export type Verification = 'verified' | 'ineffective' | 'not-applicable';

/**
 * The runbook's "monitor for 5 minutes": after the window, an action whose alarm is still in ALARM did not
 * work. Its outcome becomes `ineffective` and humans are paged at once (the incident's next escalation step,
 * now, instead of at its time).
 */
export async function verifyAction(deps: EscalationDeps, input: unknown): Promise<Verification> {
  const { actionId } = VerifyInput.parse(input);
  const action = await deps.audit.get(actionId);
  if (!action || action.decision !== 'acted' || action.outcome !== 'succeeded') return 'not-applicable';
  const { MetricAlarms, CompositeAlarms } = await deps.clients.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [action.alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  const state = MetricAlarms?.[0]?.StateValue ?? CompositeAlarms?.[0]?.StateValue;
  const now = deps.now();
  const incidentId = await deps.store.findByAlarm(action.alarmName);
  const minutes = deps.config.automation.verifyAfterMinutes;

  if (state !== 'ALARM') {
    await deps.audit.outcome(actionId, { outcome: 'verified' }, now.toISOString());
    if (incidentId)
      await deps.store.addEvent(incidentId, {
        at: now.toISOString(),
        type: 'verified',
        detail: `${action.mitigation} on ${action.target} worked: ${action.alarmName} is ${state ?? 'gone'} after ${minutes} min`,
      });
    return 'verified';
  }

  await deps.audit.outcome(
    actionId,
    { outcome: 'ineffective', error: `${action.alarmName} still in ALARM ${minutes} min after the action` },
    now.toISOString(),
  );
  const incident = incidentId ? await deps.store.get(incidentId) : undefined;
  if (!incident || incident.status !== 'open') return 'ineffective';
  await deps.store.addEvent(incident.incidentId, {
    at: now.toISOString(),
    type: 'ineffective',
    detail: `${action.mitigation} on ${action.target} did not clear ${action.alarmName} within ${minutes} min`,
  });
  // The next step of the timetable, now; past the last step, the on-call pair.
  const alert = findAlert(incident.alertId)!;
  const steps = planSteps(policyFor(alert, deps.config), new Date(incident.openedAt), {
    config: deps.config,
    severity: incident.severity,
    customerFacing: incident.customerFacing,
  });
  const next = steps.find((s) => Date.parse(s.at) > now.getTime() && s.roles.length > 0);
  await page(
    deps,
    incident,
    next?.roles ?? ['on-call-primary', 'on-call-secondary'],
    `automatic ${action.mitigation} was ineffective: ${action.alarmName} still in ALARM after ${minutes} min`,
  );
  return 'ineffective';
}
