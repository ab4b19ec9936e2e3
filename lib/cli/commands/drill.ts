import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { Command } from 'commander';
import { previewMitigations } from '../../../lambdas/responder/preview';
import type { AlarmNotification } from '../../../lambdas/responder/notification';
import { alertSettings } from '../../core/config/alert-settings';
import { alarmName, ALERTS, findAlert } from '../../core/catalog';
import { automationModeParameter, modelService } from '../../core/config/derived';
import { planSteps, policyFor } from '../../core/escalation-plan';
import { InputError } from '../../core/evaluator';
import type { CliCommand, CliContext } from '../context';
import { colour, parseSpan, when } from '../format';
import { openSession, type Session } from '../session';

/**
 * `oncall drill ALERT`: for game days. By default it shows what would happen if the alarm fired now (the
 * mitigations' decisions read from the live world, the automation switch, the escalation timetable) and changes
 * nothing. With `--yes` it sets the real alarm to ALARM (SetAlarmState) and follows the incident as it unfolds,
 * until it is resolved or `--follow` runs out; CloudWatch sets the alarm back at its next evaluation.
 */
export const drillCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('drill')
      .argument('<alert>', 'alert id, e.g. HighAPIErrorRate')
      .option('--service <name>', 'the service, for per-service alerts (default: the first)')
      .option('--yes', 'really set the alarm to ALARM and follow the incident')
      .option('--follow <span>', 'how long to follow the incident with --yes', '15m')
      .option('--env <name>', 'environment of config/', 'default')
      .description('game day: show what would happen if an alarm fired now; --yes fires it and follows the incident')
      .action(async (alertId: string, options: { service?: string; yes?: boolean; follow: string; env: string }) => {
        const alert = findAlert(alertId);
        if (!alert) throw new InputError(`unknown alert "${alertId}"; alerts: ${ALERTS.map((a) => a.id).join(', ')}`);
        const session = openSession(ctx, options.env);
        const perService = alert.scope === 'service' || alert.scope === 'service-rds';
        const service = options.service
          ? session.config.services.find((s) => s.name === options.service)
          : perService
            ? session.config.services[0]
            : modelService(session.config);
        if (!service) throw new InputError(`unknown service "${options.service}"; services: ${session.config.services.map((s) => s.name).join(', ')}`);
        const name = alarmName(session.config.prefix, alert.id, perService ? service.name : undefined);
        const settings = alertSettings(alert, session.config);
        const out = (line = '') => ctx.io.out(`${line}\n`);

        out(`${colour(ctx.io, 'bold', `Drill: ${name}`)} (${settings.severity}, ${alert.summary})`);
        const { MetricAlarms, CompositeAlarms } = await session.clients.cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
        );
        const state = MetricAlarms?.[0]?.StateValue ?? CompositeAlarms?.[0]?.StateValue;
        out(`  alarm state now: ${state ?? 'not found (is the stack deployed here?)'}`);
        const mode = await session.clients.ssm.send(new GetParameterCommand({ Name: automationModeParameter(session.config) })).then(
          (r) => r.Parameter?.Value ?? 'missing',
          () => 'unreadable',
        );
        out(`  automation: ${mode}${mode === 'enabled' ? '' : ' (nothing would be changed)'}`);
        out('');
        out('Automatic mitigations, evaluated read-only against the world now:');
        const notification: AlarmNotification = {
          alarmName: name,
          alert,
          instance: perService ? service.name : undefined,
          newState: 'ALARM',
          oldState: 'OK',
          reason: 'drill',
          stateChangeTime: new Date().toISOString(),
          incidentId: `drill@${new Date().toISOString()}`,
          accountId: '',
          region: session.config.region,
          evidence: {},
        };
        const previews = await previewMitigations(
          {
            config: session.config,
            clients: session.clients,
            notification,
            service,
            now: () => new Date(),
            logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
          },
          await session.account(),
        );
        if (previews.length === 0) out('  none: this alert pages humans only');
        for (const p of previews)
          out(`  ${p.mitigation.padEnd(15)} ${(p.target ?? '-').padEnd(28)} ${p.wouldAct ? colour(ctx.io, 'yellow', 'would act') : 'would skip'}: ${p.reason}`);
        out('');
        const policy = policyFor(alert, session.config);
        out(`Escalation (${policy.id}):`);
        const opened = new Date();
        const steps = planSteps(policy, opened, { config: session.config, severity: settings.severity, customerFacing: alert.customerFacing });
        if (steps.length === 0) out('  nobody is paged (weekly digest)');
        for (const step of steps) {
          const minutes = Math.round((Date.parse(step.at) - opened.getTime()) / 60_000);
          out(
            `  +${String(minutes).padStart(4)} min  ${[...step.roles, ...(step.ticket ? ['ticket'] : [])].join(', ') || '-'}${step.cancelledByAck ? ' (unless acknowledged)' : ''}`,
          );
        }
        if (!options.yes) {
          out('');
          out(`Nothing was changed. Run with --yes to set ${name} to ALARM and follow the incident.`);
          return;
        }
        await session.clients.cloudwatch.send(
          new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: `drill by ${await session.who()}` }),
        );
        out('');
        out(`${name} set to ALARM at ${opened.toISOString()}; following the incident for ${options.follow} (Ctrl-C to stop following):`);
        await follow(ctx, session, name, parseSpan(options.follow));
      });
  },
};

/** Prints the incident's timeline and actions as they appear, until it is resolved or time runs out. */
async function follow(ctx: CliContext, session: Session, name: string, forMs: number): Promise<void> {
  const deadline = Date.now() + forMs;
  const seen = new Set<string>();
  let incidentId: string | undefined;
  while (Date.now() < deadline) {
    incidentId ??= await session.store.findByAlarm(name);
    if (incidentId) {
      const incident = await session.store.get(incidentId);
      const events = (await session.store.timeline(incidentId)).map((e) => ({
        key: `e${e.at}${e.type}${e.detail}`,
        at: e.at,
        text: `${e.type.padEnd(13)} ${e.detail}`,
      }));
      const triggers = new Set(incident?.triggers ?? []);
      const actions = (await session.audit.listSince(new Date(Date.now() - 3_600_000).toISOString()))
        .filter((a) => triggers.has(a.incidentId) && a.decision !== 'evaluating')
        .map((a) => ({
          key: `a${a.actionId}${a.decision}${a.outcome}`,
          at: a.updatedAt,
          text: `${'action'.padEnd(13)} ${a.mitigation} on ${a.target ?? '-'}: ${a.decision}${a.outcome ? `, ${a.outcome}` : ''} (${a.reason})`,
        }));
      for (const item of [...events, ...actions].sort((x, y) => x.at.localeCompare(y.at))) {
        if (seen.has(item.key)) continue;
        seen.add(item.key);
        ctx.io.out(`  ${when(item.at)}  ${item.text}\n`);
      }
      if (incident?.status === 'resolved') {
        ctx.io.out(`incident ${incidentId} resolved; review it with: oncall review ${incidentId}\n`);
        return;
      }
    }
    await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(0, deadline - Date.now()))));
  }
  ctx.io.out(
    incidentId
      ? `stopped following ${incidentId} (still open: oncall incident show ${incidentId})\n`
      : `no incident for ${name} yet: is the stack's EventBridge rule deployed?\n`,
  );
}
