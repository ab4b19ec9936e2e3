import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { renderReview, reviewDue } from '../report/review';
import type { CliCommand, CliContext } from '../context';
import { NotFoundError, openSession } from '../session';

/** Actions are recorded just after their alarm fired; a margin for clocks that disagree. */
const ACTIONS_MARGIN_MS = 60 * 60_000;
/** Incidents before this one that may have resolved within the flap window of its opening. */
const HISTORY_MS = 7 * 86_400_000;

/**
 * `oncall review <incidentId>`: the post-incident review skeleton in Markdown (runbook Step 5): summary, impact
 * (with TODO markers for the author), every timeline event in UTC relative to the opening, the automatic
 * actions and their verification, what worked and what did not, follow-ups, and the due date (48 hours after
 * resolution for P1, 1 week for P2; none for P3 and P4). Written to stdout, or to `--out`.
 */
export const reviewCommand: CliCommand = {
  register(program: Command, ctx: CliContext) {
    program
      .command('review')
      .description('post-incident review skeleton (Markdown) from the incident timeline, with its due date')
      .argument('<incidentId>', 'the incident (its id is in every page: the dedup key)')
      .option('--out <file>', 'write the Markdown to this file instead of stdout')
      .option('--env <name>', 'environment of config/', 'default')
      .action(async (incidentId: string, options: { out?: string; env: string }) => {
        const session = openSession(ctx, options.env);
        const incident = await session.store.get(incidentId);
        if (!incident) throw new NotFoundError(`no incident ${incidentId} (the id is the dedup key of its pages)`);
        const opened = Date.parse(incident.openedAt);
        const [timeline, actions, history] = await Promise.all([
          session.store.timeline(incidentId),
          session.audit.listSince(new Date(opened - ACTIONS_MARGIN_MS).toISOString()),
          session.store.listSince(new Date(opened - HISTORY_MS).toISOString()),
        ]);
        const now = new Date();
        const markdown = `${renderReview({ incident, timeline, actions, history, prefix: session.config.prefix, now })}\n`;
        if (options.out === undefined) return ctx.io.out(markdown);
        await writeFile(options.out, markdown);
        const due = reviewDue(incident, now);
        ctx.io.out(`review of ${incidentId} written to ${options.out}${due.required ? ` (due ${due.at})` : ''}\n`);
      });
  },
};
