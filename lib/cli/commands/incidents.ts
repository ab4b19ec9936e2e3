import type { Command } from 'commander';
import { acknowledgeIncident, resolveIncident } from '../../../lambdas/escalation/incident-lifecycle';
import { formatDuration, IncidentStateError, type Incident } from '../../../lambdas/shared/storage/incident';
import type { CliCommand, CliContext } from '../context';
import { EXIT } from '../context';
import { colour, parseSpan, printJson, printTable, when } from '../format';
import { NotFoundError, openSession, type Session } from '../session';
import { regionsOf } from '../../core/alarm-source';
import { configuredRegions } from '../../core/config/regions';
import { InputError } from '../../core/evaluator';

/**
 * `oncall incidents`, `incident show`, `ack`, `resolve`.
 * JSON shapes: `incidents --json` is an array of incidents (Incident in lambdas/shared/storage/incident.ts: incidentId,
 * alarmName, alertId, service, severity, policyId, summary, runbookUrl, customerFacing, status, openedAt,
 * triggers, openAlarms, executionName, executionArn, ackedAt, ackedBy, resolvedAt, resolvedBy, resolveNote,
 * timeToResolveSeconds), newest first; `incident show --json` is `{ incident, timeline: [{ at, type, detail,
 * data? }], actions: [ActionRecord] }`.
 */
export const incidentsCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('incidents')
      .description('incidents, newest first: severity, alert, status, opened, acknowledged, resolved')
      .option('--open', 'only open incidents')
      .option('--since <span>', 'how far back', '7d')
      .option('--region <region>', 'only incidents with an alarm in this serving region (default: every region)')
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of a table')
      .action(async (options: { open?: boolean; since: string; region?: string; env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        const { config } = session;
        const served = configuredRegions(config);
        if (options.region !== undefined && !served.includes(options.region))
          throw new InputError(`--region ${options.region} is not a region of environment ${options.env}; its regions: ${served.join(', ')}`);
        let incidents = await session.store.listSince(new Date(Date.now() - parseSpan(options.since)).toISOString());
        if (options.open) incidents = incidents.filter((i) => i.status === 'open');
        if (options.region !== undefined) incidents = incidents.filter((i) => regionsOf(config, i.triggers).includes(options.region!));
        if (options.json) return printJson(ctx.io, incidents);
        printTable(
          ctx.io,
          ['INCIDENT', 'SEV', 'ALERT', 'SERVICE', 'REGIONS', 'STATUS', 'OPENED', 'ACKNOWLEDGED', 'RESOLVED', 'ALARMS'],
          incidents.map((i) => [
            i.incidentId,
            severity(ctx, i),
            i.alertId,
            i.service ?? '-',
            regionsOf(config, i.triggers).join(','),
            i.status,
            when(i.openedAt),
            i.ackedAt ? `${when(i.ackedAt)} by ${i.ackedBy}` : '-',
            i.resolvedAt ? when(i.resolvedAt) : '-',
            String(i.triggers.length),
          ]),
          options.open ? 'no open incidents' : `no incidents in the last ${options.since}`,
        );
      });

    program
      .command('incident')
      .description('one incident')
      .command('show')
      .argument('<id>', 'incident id (oncall incidents lists them)')
      .description('an incident and its timeline: fired, joined, pages, acks, automatic actions, escalations, resolution')
      .option('--env <name>', 'environment of config/', 'default')
      .option('--json', 'JSON instead of text')
      .action(async (id: string, options: { env: string; json?: boolean }) => {
        const session = openSession(ctx, options.env);
        const incident = await found(session, id);
        const timeline = await session.store.timeline(id);
        const triggers = new Set(incident.triggers);
        const actions = (await session.audit.listSince(new Date(Date.parse(incident.openedAt) - 3_600_000).toISOString())).filter((a) =>
          triggers.has(a.incidentId),
        );
        if (options.json) return printJson(ctx.io, { incident, timeline, actions });
        const lines = [
          `${colour(ctx.io, 'bold', incident.incidentId)}`,
          `  ${incident.severity} ${incident.alertId}${incident.service ? ` (${incident.service})` : ''}: ${incident.summary}`,
          `  status ${incident.status}; policy ${incident.policyId}; opened ${when(incident.openedAt)}${incident.ackedAt ? `; acknowledged ${when(incident.ackedAt)} by ${incident.ackedBy}` : ''}${incident.resolvedAt ? `; resolved ${when(incident.resolvedAt)} by ${incident.resolvedBy} after ${formatDuration(incident.timeToResolveSeconds ?? 0)}` : ''}`,
          `  runbook ${incident.runbookUrl}`,
          '',
          'Timeline:',
          ...merge(
            timeline.map((e) => ({ at: e.at, text: `${e.type.padEnd(13)} ${e.detail}` })),
            actions.map((a) => ({
              at: a.createdAt,
              text: `${'action'.padEnd(13)} ${a.mitigation} on ${a.target ?? '-'}: ${a.decision}${a.outcome ? `, ${a.outcome}` : ''} (${a.reason})${a.decision === 'acted' ? ` [revert: ${a.revertCommand}]` : ''}`,
            })),
          ).map((e) => `  ${when(e.at)}  ${e.text}`),
        ];
        ctx.io.out(`${lines.join('\n')}\n`);
      });

    program
      .command('ack')
      .argument('<id>', 'incident id')
      .description('acknowledge: the ack-deadline re-pages stop; escalation continues until resolved')
      .option('--env <name>', 'environment of config/', 'default')
      .action(async (id: string, options: { env: string }) => {
        const session = openSession(ctx, options.env);
        await found(session, id);
        await changeState(ctx, async () => acknowledgeIncident(await session.escalation(), id, await session.who()));
        if (ctx.exitCode === EXIT.OK) ctx.io.out(`acknowledged ${id}\n`);
      });

    program
      .command('resolve')
      .argument('<id>', 'incident id')
      .description('resolve: the escalation ends, nobody is paged again, the time to resolve is recorded')
      .option('--note <text>', 'what fixed it, for the timeline and the review')
      .option('--env <name>', 'environment of config/', 'default')
      .action(async (id: string, options: { env: string; note?: string }) => {
        const session = openSession(ctx, options.env);
        await found(session, id);
        await changeState(ctx, async () => {
          const incident = await resolveIncident(await session.escalation(), id, await session.who(), options.note);
          ctx.io.out(`resolved ${id} after ${formatDuration(incident.timeToResolveSeconds ?? 0)}\n`);
        });
      });
  },
};

async function found(session: Session, id: string): Promise<Incident> {
  const incident = await session.store.get(id);
  if (!incident) throw new NotFoundError(`no incident ${id} (list them with: oncall incidents)`);
  return incident;
}

/** An incident already acknowledged or resolved is not an error of the tool: say so, exit 1. */
async function changeState(ctx: CliContext, change: () => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof IncidentStateError)) throw error;
    ctx.io.err(`nothing done: ${error.reason}\n`);
    ctx.exitCode = EXIT.FAILED;
  }
}

function severity(ctx: CliContext, incident: Incident): string {
  return incident.status === 'open' && incident.severity === 'P1' ? colour(ctx.io, 'red', incident.severity) : incident.severity;
}

function merge<T extends { at: string }>(...lists: T[][]): T[] {
  return lists.flat().sort((a, b) => a.at.localeCompare(b.at));
}
