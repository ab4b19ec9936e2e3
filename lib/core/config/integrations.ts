import { z } from 'zod';

/**
 * The `integrations` section of the config: where incidents are talked about besides the pages (a Slack incident
 * channel, a public status page, tickets, PagerDuty). Each integration is off unless configured; its credentials
 * live in Secrets Manager and the config names only the secret's ARN. Plain data; no CDK imports.
 */

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** The six letters or digits Secrets Manager appends to a secret's name in its ARN. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;
const SEVERITY_WITH_CHANNEL = ['P1', 'P2'] as const;

/**
 * Where an integration's secret is. A string is an ARN, taken as written: ending in `-` and six letters or digits it
 * is the complete ARN Secrets Manager prints (`create-secret`, the console), otherwise a partial ARN (the name
 * without the suffix). `{ name }` is a secret of the stack's own account and region given by its name: the only
 * way to name a secret whose name itself ends in `-` and six characters, which no string can tell from a complete
 * ARN (Secrets Manager itself takes such a partial ARN for a complete one).
 */
export type SecretRef = string | { readonly name: string };

/**
 * A secret the integration cannot work without: a missing one fails synth naming this field. A complete ARN, a
 * partial ARN (the grant then matches the suffix with `-??????`), or `{ name }` (see {@link SecretRef}).
 */
const secretArn = (what: string) =>
  z.union([z.string().regex(SECRET_ARN), z.strictObject({ name: z.string().regex(SECRET_NAME) })], {
    error: (issue) =>
      issue.input === undefined
        ? `required: the ARN of the Secrets Manager secret holding ${what}`
        : typeof issue.input === 'string'
          ? 'must be a Secrets Manager secret ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>'
          : 'must be a Secrets Manager secret ARN, or { name: "<secret name>" } for a secret of this account and region',
  });

/** The SecretId GetSecretValue is called with: the ARN as written, or the name. */
export function secretId(secret: SecretRef): string {
  return typeof secret === 'string' ? secret : secret.name;
}

/** A name for messages and logs: the secret's name, never its value. */
export function secretLabel(secret: SecretRef): string {
  return typeof secret === 'string' ? secret.slice(secret.indexOf(':secret:') + ':secret:'.length) : secret.name;
}

/**
 * The IAM resource that matches a secret. A complete ARN as it is; a partial ARN or a name with `-??????`, which
 * matches exactly the six characters Secrets Manager appends. `arnOf` makes the ARN of a resource name in the
 * stack's partition, region and account.
 */
export function secretPolicyResource(secret: SecretRef, arnOf: (resourceName: string) => string): string {
  if (typeof secret !== 'string') return arnOf(`${secret.name}-??????`);
  return RANDOM_SUFFIX.test(secret) ? secret : `${secret}-??????`;
}

const httpsUrl = (what: string) =>
  z.url({ protocol: /^https$/, error: (issue) => (issue.input === undefined ? `required: the HTTPS URL of ${what}` : 'must be an https:// URL') });

const SlackSchema = z
  .strictObject({
    /** Bot token (`xoxb-...`) with the scopes channels:manage, chat:write (and usergroups:read for `inviteUserGroup`). */
    tokenSecretArn: secretArn('the Slack bot token (xoxb-...)'),
    /** Slack user ids invited to every incident channel. @default [] */
    inviteUsers: z.array(z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U012AB3CD')).default([]),
    /** A Slack user group (the on-call group) whose members are invited. @default none */
    inviteUserGroup: z
      .string()
      .regex(/^S[A-Z0-9]{2,20}$/, 'must be a Slack user group id such as S0614TZR7')
      .optional(),
    /** Channels are `#<channelPrefix>-YYYY-MM-DD`, with `-2`, `-3`... when that day already has one. @default 'incident' */
    channelPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,60}$/, 'must be lower-case letters, digits, - and _ (max 61)')
      .default('incident'),
    /** Severities that open a channel (the runbook's P1; add P2 to open one for P2 too). @default ['P1'] */
    severities: z.array(z.enum(SEVERITY_WITH_CHANNEL)).min(1).default(['P1']),
    /** Create private channels. @default false */
    privateChannels: z.boolean().default(false),
    /** @default 'https://slack.com/api' */
    apiUrl: httpsUrl('the Slack Web API').default('https://slack.com/api'),
  })
  .refine((s) => s.inviteUsers.length > 0 || s.inviteUserGroup !== undefined, {
    message: 'invite the on-call group: set inviteUsers or inviteUserGroup',
    path: ['inviteUsers'],
  });

const StatusPageSchema = z.strictObject({
  /** An Atlassian Statuspage API key (sent as `Authorization: OAuth <key>`). */
  apiKeySecretArn: secretArn('the Statuspage API key'),
  /** The page's id (Statuspage: Your page > API info). */
  pageId: z
    .string({ error: (issue) => (issue.input === undefined ? 'required: the Statuspage page id' : 'must be a string') })
    .regex(/^[a-z0-9]{6,32}$/, 'must be a Statuspage page id such as kctbh9vrtdwd'),
  /**
   * The component each service's incidents mark as "major outage" (P1) or "degraded performance" (P2), by service
   * name; `default` for incidents of the whole environment and services not listed.
   */
  components: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), z.string().regex(/^[a-z0-9]{6,32}$/, 'must be a Statuspage component id such as 8kbf7d35c070'))
    .refine((c) => Object.keys(c).length > 0, 'name at least one component (by service name, or default)'),
  /** Customer-facing incidents of these severities reach the status page. @default ['P1', 'P2'] */
  severities: z.array(z.enum(SEVERITY_WITH_CHANNEL)).min(1).default(['P1', 'P2']),
  /** @default 'https://api.statuspage.io/v1' */
  apiUrl: httpsUrl('the Statuspage API').default('https://api.statuspage.io/v1'),
});

const TicketCommon = {
  /**
   * Severities that open a ticket: when their policy has a ticket step (P3), and P4's backlog ticket (P4 pages
   * nobody; the escalation matrix puts it in the ticket backlog). @default ['P3', 'P4']
   */
  severities: z
    .array(z.enum(['P1', 'P2', 'P3', 'P4']))
    .min(1)
    .default(['P3', 'P4']),
  /**
   * The same alert (and service) firing again within this long after its ticket was closed reopens that ticket
   * instead of opening another: a flapping alarm makes one ticket. @default 1440
   */
  reopenWithinMinutes: z.number().min(0).max(43_200).default(1440),
  /** @default ['alerting'] */
  labels: z.array(z.string().min(1).max(50)).max(10).default(['alerting']),
};

const TicketsSchema = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('github'),
    /** A fine-grained token with Issues: read and write on the repository. */
    tokenSecretArn: secretArn('the GitHub token'),
    /** `owner/name` */
    repository: z
      .string({ error: (issue) => (issue.input === undefined ? 'required: the GitHub repository as owner/name' : 'must be a string') })
      .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, 'must be owner/name'),
    /** @default 'https://api.github.com' (GitHub Enterprise: https://<host>/api/v3) */
    apiUrl: httpsUrl('the GitHub REST API').default('https://api.github.com'),
    ...TicketCommon,
  }),
  z.strictObject({
    provider: z.literal('jira'),
    /** `<email>:<api token>` of the account that files the tickets (Jira Cloud basic auth). */
    credentialsSecretArn: secretArn('"<email>:<api token>" for Jira'),
    /** The site, e.g. https://acme.atlassian.net */
    baseUrl: httpsUrl('the Jira site (https://<site>.atlassian.net)'),
    projectKey: z
      .string({ error: (issue) => (issue.input === undefined ? 'required: the Jira project key' : 'must be a string') })
      .regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'must be a Jira project key such as OPS'),
    /** @default 'Task' */
    issueType: z.string().min(1).max(60).default('Task'),
    /** Transition that closes a ticket on resolution. @default none: the ticket gets a comment and stays open */
    doneTransitionId: z.string().regex(/^\d+$/, 'must be a Jira transition id (digits)').optional(),
    /** Transition that reopens a closed ticket when its alert fires again. @default none: a comment only */
    reopenTransitionId: z.string().regex(/^\d+$/, 'must be a Jira transition id (digits)').optional(),
    ...TicketCommon,
  }),
]);

const PagerDutySchema = z.strictObject({
  /** The integration (routing) key of a PagerDuty service's Events API v2 integration. */
  routingKeySecretArn: secretArn('the PagerDuty Events v2 routing key'),
  /** Severities sent to PagerDuty (trigger on page, acknowledge, resolve). @default ['P1', 'P2'] */
  severities: z
    .array(z.enum(['P1', 'P2', 'P3', 'P4']))
    .min(1)
    .default(['P1', 'P2']),
  /** @default 'https://events.pagerduty.com/v2/enqueue' (EU: https://events.eu.pagerduty.com/v2/enqueue) */
  eventsUrl: httpsUrl('the PagerDuty Events API').default('https://events.pagerduty.com/v2/enqueue'),
});

export const IntegrationsSchema = z.strictObject({
  /** A Slack channel per incident. @default off */
  slack: SlackSchema.optional(),
  /** An Atlassian Statuspage (or compatible) incident for customer-facing incidents. @default off */
  statusPage: StatusPageSchema.optional(),
  /** A ticket per P3 incident, in GitHub Issues or Jira. @default off */
  tickets: TicketsSchema.optional(),
  /** PagerDuty Events API v2. @default off */
  pagerDuty: PagerDutySchema.optional(),
  /** Every outbound call: per-attempt timeout, attempts, and the whole call's budget (retries and 429 waits). */
  http: z
    .strictObject({
      /** @default 5000 */
      timeoutMs: z.number().int().min(100).max(30_000).default(5000),
      /** @default 3 */
      attempts: z.number().int().min(1).max(10).default(3),
      /** @default 15000 */
      budgetMs: z.number().int().min(100).max(60_000).default(15_000),
    })
    .prefault({}),
});

export type IntegrationsConfig = z.output<typeof IntegrationsSchema>;
export type SlackConfig = NonNullable<IntegrationsConfig['slack']>;
export type StatusPageConfig = NonNullable<IntegrationsConfig['statusPage']>;
export type TicketsConfig = NonNullable<IntegrationsConfig['tickets']>;
export type GitHubConfig = Extract<TicketsConfig, { provider: 'github' }>;
export type JiraConfig = Extract<TicketsConfig, { provider: 'jira' }>;
export type PagerDutyConfig = NonNullable<IntegrationsConfig['pagerDuty']>;

/** Whether any integration is configured (the stack deploys the collaboration function only then). */
export function anyIntegration(integrations: IntegrationsConfig): boolean {
  return (
    integrations.slack !== undefined || integrations.statusPage !== undefined || integrations.tickets !== undefined || integrations.pagerDuty !== undefined
  );
}

/** The secret of every configured integration, by the service it authenticates to (what the function may read). */
export function integrationSecrets(
  integrations: IntegrationsConfig,
): { readonly service: 'slack' | 'statuspage' | 'github' | 'jira' | 'pagerduty'; readonly secret: SecretRef }[] {
  const { slack, statusPage, tickets, pagerDuty } = integrations;
  return [
    ...(slack ? [{ service: 'slack' as const, secret: slack.tokenSecretArn }] : []),
    ...(statusPage ? [{ service: 'statuspage' as const, secret: statusPage.apiKeySecretArn }] : []),
    ...(tickets?.provider === 'github' ? [{ service: 'github' as const, secret: tickets.tokenSecretArn }] : []),
    ...(tickets?.provider === 'jira' ? [{ service: 'jira' as const, secret: tickets.credentialsSecretArn }] : []),
    ...(pagerDuty ? [{ service: 'pagerduty' as const, secret: pagerDuty.routingKeySecretArn }] : []),
  ];
}
