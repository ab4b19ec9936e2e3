import type { TicketsConfig } from '../../lib/core/config/integrations';
import { gitHubTracker } from './github';
import { jiraTracker } from './jira';
import type { Http } from './transport';

/** A ticket, as the collaboration state keeps it: the provider's key (`42`, `OPS-17`) and its web page. */
export interface TicketRef {
  readonly key: string;
  readonly url: string;
}

/** A ticket a tracker can open, comment, close and reopen; the same calls for GitHub Issues and Jira. */
export interface TicketTracker {
  readonly provider: 'github' | 'jira';
  open(ticket: { title: string; body: string }): Promise<TicketRef>;
  comment(ref: TicketRef, body: string): Promise<void>;
  /** Comments, then closes; `commented` when the tracker cannot close it (Jira without `doneTransitionId`, or already done). */
  close(ref: TicketRef, comment: string): Promise<'closed' | 'commented'>;
  /** Reopens, then comments; `commented` when the tracker cannot reopen it (Jira without `reopenTransitionId`, or not done). */
  reopen(ref: TicketRef, comment: string): Promise<'reopened' | 'commented'>;
}

/**
 * The tracker of the config. `secret` is the GitHub token, or Jira's `<email>:<api token>`.
 * @throws IntegrationError when a Jira secret is not `<email>:<api token>` (the message never contains it)
 */
export function ticketTracker(config: TicketsConfig, secret: string, http: Http): TicketTracker {
  return config.provider === 'github' ? gitHubTracker(config, secret, http) : jiraTracker(config, secret, http);
}
