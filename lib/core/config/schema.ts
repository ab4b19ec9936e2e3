import { z } from 'zod';
import { ALERT_IDS, COMPARISON_OPERATORS, ESCALATION_POLICIES, LOG_GROUP_KEYS, MISSING_DATA_TREATMENTS, MITIGATION_IDS, ROLES, SEVERITIES } from '../catalog';
import { IntegrationsSchema } from './integrations';
import { runsAtHome, serviceRegions } from './regions';
import { checkWindowServices, SilencingSchema } from './silencing';

/**
 * The environment configuration a platform team writes (config/<env>.ts). Validated with zod at synth:
 * every default below is the runbook's, so an empty object already describes the runbook's own chatbot.
 * Plain data; no CDK imports.
 */

/** The largest fleet one environment takes: the size the fleet tests synthesize within every AWS quota. */
export const MAX_SERVICES = 1000;
const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const SSM_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
const DB_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const LOG_GROUP_NAME = /^[A-Za-z0-9_.\-/#]{1,512}$/;
/** Characters CloudWatch Logs accepts inside a %regex% filter pattern (no groups). */
const LOG_REGEX_BODY = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+. ]+$/;

const durationSeconds = z
  .number()
  .int()
  .refine((s) => s === 10 || s === 20 || s === 30 || (s >= 60 && s % 60 === 0), {
    message: 'must be 10, 20, 30 or a multiple of 60 seconds',
  });

const ApiSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('alb'),
    /** The LoadBalancer dimension: `app/<name>/<id>`. */
    loadBalancer: z.string().regex(/^app\/[A-Za-z0-9-]+\/[a-f0-9]+$/, 'must look like app/<name>/<id>'),
  }),
  z.strictObject({
    kind: z.literal('apigateway'),
    apiName: z.string().min(1).max(1024),
    /** @default all stages (no Stage dimension) */
    stage: z.string().min(1).max(128).optional(),
  }),
  z.strictObject({
    /** The service publishes Requests, ServerErrors and Latency (seconds) in the custom namespace. */
    kind: z.literal('custom'),
  }),
]);

const EcsServiceSchema = z.strictObject({
  cluster: z.string().min(1).max(255),
  service: z.string().min(1).max(255),
  /** Cap of ecs-scale-out for this service. @default automation.ecsMaxDesiredCount */
  maxDesiredCount: z.number().int().min(1).max(5000).optional(),
});

const DB_INSTANCE_ID = z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, 'must be a valid DB instance identifier');

/** What names a service's resources in one region: each field given replaces the service's own there. */
const RegionalIdentitySchema = z.strictObject({
  ecs: EcsServiceSchema.optional(),
  rds: z.strictObject({ instanceId: DB_INSTANCE_ID }).optional(),
  api: ApiSourceSchema.optional(),
});

const ServiceSchema = z.strictObject({
  /** Short name, used in alarm names: `<prefix>-<AlertId>-<name>`. */
  name: z.string().regex(NAME, 'must be lower-case letters, digits and dashes, starting with a letter (max 40)'),
  ecs: EcsServiceSchema,
  /** The service's database; without it the database alerts are not created for this service. */
  rds: z
    .strictObject({
      instanceId: DB_INSTANCE_ID,
      /** The instance's max_connections; DatabaseConnectionPoolExhausted fires at 90% of it. */
      maxConnections: z.number().int().positive().default(500),
      /** Classes rds-scale-up climbs, smallest first; the last one is the cap. @default automation.rdsClassLadder */
      classLadder: z.array(z.string().regex(DB_CLASS, 'must be an RDS instance class such as db.r6g.large')).min(2).optional(),
      /**
       * Lets rds-scale-up change the class of an instance that has no failover target (Single-AZ, or Aurora without
       * a reader): the database is then down for the whole modification. Without it rds-scale-up refuses there.
       * @default false
       */
      allowDowntime: z.boolean().default(false),
    })
    .optional(),
  api: ApiSourceSchema,
  /**
   * Pins the service's alarms to one alarm stack. Without it services fill stacks in config order, so append
   * new services at the end (alarms moving between stacks collide on their fixed names during deploy).
   * @default assigned in config order
   */
  stack: z.number().int().min(0).max(99).optional(),
  /**
   * Regions the service runs in, each one of the environment's serving regions (`regions`). Its alarms are
   * created in each of them; those outside the home region notify that region's topics, and their state changes
   * are forwarded to the home region's escalation.
   * @default [region] (the home region only)
   */
  regions: z.array(z.string().regex(AWS_REGION, 'must be an AWS region such as us-east-1')).min(1).optional(),
  /**
   * How the service's resources are named in a region other than the home one, where they differ: a load
   * balancer's id is random per region, a cluster or database may be named apart. Each field given replaces the
   * service's own in that region's alarms and responder (`ecs` and `api` whole, `rds` its `instanceId`); the
   * service's own fields are its home region's.
   * @default the service's own in every region
   */
  regional: z.record(z.string().regex(AWS_REGION, 'must be an AWS region such as us-west-2'), RegionalIdentitySchema).optional(),
  /**
   * The AWS account the service runs in, when it is not the environment's `account` (production and staging apart,
   * one workload per account): its alarms live in that account, in a stack per region, forwarding their state
   * changes to the home region's escalation, whose event bus lets that account in. Needs `account` set.
   * @default account (the environment's)
   */
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
});

const AlertOverrideSchema = z.strictObject({
  /** @default true */
  enabled: z.boolean().optional(),
  /** Absolute threshold, in the alarm's unit (ratios as fractions, latency in seconds). */
  threshold: z.number().finite().optional(),
  severity: z.enum(SEVERITIES).optional(),
  /** Sets evaluation periods (and datapoints to alarm) so that the alarm needs this long in breach. */
  durationMinutes: z.number().positive().optional(),
  periodSeconds: durationSeconds.optional(),
  evaluationPeriods: z.number().int().min(1).max(100).optional(),
  datapointsToAlarm: z.number().int().min(1).max(100).optional(),
  treatMissingData: z.enum(MISSING_DATA_TREATMENTS).optional(),
  comparison: z.enum(COMPARISON_OPERATORS).optional(),
  /** Replaces the mitigations the alert triggers; `[]` turns automatic action off for this alert. */
  mitigations: z.array(z.enum(MITIGATION_IDS)).optional(),
});

export const AUTOMATION_MODES = ['enabled', 'dry-run', 'disabled'] as const;
export type AutomationMode = (typeof AUTOMATION_MODES)[number];

const AutomationSchema = z.strictObject({
  /**
   * Value of the automation switch when the stack first creates it. Later deploys never reset it: the switch
   * belongs to on-call (`oncall automation ...`). Start in dry-run, read `oncall actions`, then enable.
   * @default 'dry-run'
   */
  initialMode: z.enum(AUTOMATION_MODES).default('dry-run'),
  /** No second action on the same (mitigation, target) within this time. @default 30 */
  cooldownMinutes: z.number().min(0).max(1440).default(30),
  /** At most this many actions (all mitigations together) per window... @default 10 */
  maxActionsPerWindow: z.number().int().min(1).max(1000).default(10),
  /** ...of this many minutes. @default 60 */
  windowMinutes: z.number().int().min(1).max(1440).default(60),
  /** ecs-rollback acts only on a deployment younger than this. @default 30 */
  rollbackWindowMinutes: z.number().min(1).max(1440).default(30),
  /** How many revisions below the running one the revision that ran before it may be (deployment history). @default 3 */
  maxRollbackRevisions: z.number().int().min(1).max(20).default(3),
  /** Value rate-limit writes: requests per minute per user. @default 100 */
  rateLimitPerMinute: z.number().int().min(1).default(100),
  /**
   * Classes rds-scale-up knows, smallest first; the last is its target and cap. An instance whose class is not on
   * the ladder is never changed (nothing says whether the cap is larger): add its class in size order.
   * @default db.r6g.large -> xlarge -> 2xlarge (the runbook's command scales to db.r6g.2xlarge)
   */
  rdsClassLadder: z
    .array(z.string().regex(DB_CLASS, 'must be an RDS instance class such as db.r6g.large'))
    .min(2)
    .default(['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge']),
  /**
   * How far one rds-scale-up goes: `cap` straight to the top of the ladder, as the runbook's command does
   * (db.r6g.2xlarge); `next` one class per action, for teams that trade a second failover for a smaller bill.
   * Every class change is a failover (Multi-AZ) or a restart that drops every connection. @default 'cap'
   */
  rdsScaleUpTo: z.enum(['cap', 'next']).default('cap'),
  /**
   * How IAM confines the mutating actions (ecs:UpdateService, rds:ModifyDBInstance) to the configured targets.
   * `resources`: each target's ARN is listed; exact and nothing to tag, but the roles' policies grow with the fleet
   * (IAM caps a role's policies in size: the synth quota guard says when they no longer fit: 80 generated services is the most that fits).
   * `tags`: the actions are allowed only on ECS services and RDS instances tagged `targetTagKey` = the prefix
   * (ABAC, `aws:ResourceTag`); the policies no longer grow with the fleet, and every configured service and
   * database must carry the tag (the responder checks it before acting and says which target lacks it).
   * docs/configuration.md#fleets-and-iam.
   * @default 'resources'
   */
  targetScope: z.enum(['resources', 'tags']).default('resources'),
  /** The tag key of `targetScope: 'tags'`; its value is the prefix. @default 'runbook-alerting:target' */
  targetTagKey: z
    .string()
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be an AWS tag key: 1-128 letters, digits, spaces and _.:/=+-@')
    .refine((key) => !key.startsWith('aws:'), 'must not start with aws: (reserved by AWS)')
    .default('runbook-alerting:target'),
  /** Tasks ecs-scale-out adds per action. @default 2 */
  ecsScaleOutStep: z.number().int().min(1).max(100).default(2),
  /** Largest desired count ecs-scale-out sets. @default 20 */
  ecsMaxDesiredCount: z.number().int().min(1).max(5000).default(20),
  /** HighAPIErrorRate decision tree: a traffic spike is requests above this multiple of the last hour. @default 3 */
  trafficSpikeFactor: z.number().min(1).default(3),
  /** Decision tree: database overload is CPU above this (%)... @default 80 */
  databaseCpuPercent: z.number().min(1).max(100).default(80),
  /** ...or connections above this share of maxConnections. @default 0.9 */
  databaseConnectionsShare: z.number().min(0.1).max(1).default(0.9),
  /** Decision tree: the LLM dependency is down above this error rate (when its alarm is not already in ALARM). @default 0.1 */
  llmErrorRate: z.number().min(0).max(1).default(0.1),
  /**
   * Decision tree: how long after a minute ends CloudWatch is taken to hold its data, when the notification does not
   * list the datapoints the alarm evaluated. The tree then reads the periods ending at least this long before now.
   * AWS publishes no ingestion SLA; ALB and RDS publish one datapoint per minute, and a third-party measurement
   * (Datadog, "Cloud Metric Delay") puts one-minute CloudWatch metrics about 2 minutes behind. The tree averages
   * per minute of data, so a lag longer than this only drops the newest minutes, while a longer allowance mixes
   * minutes from before the incident into "recent". @default 60
   */
  ingestionLagSeconds: z.number().int().min(0).max(900).default(60),
  /** Service that hosts the model; environment-wide alerts (inference errors) act on it. @default the first service */
  modelService: z.string().regex(NAME).optional(),
  /**
   * Older notifications are refused (kept for review, not acted on): Lambda retries an event for up to 6 hours,
   * and a replay after that describes a world that has moved on. @default 360
   */
  maxNotificationAgeMinutes: z.number().int().min(5).max(1440).default(360),
  /** Wait before checking that an action worked (the runbook's "monitor for 5 minutes"). @default 5 */
  verifyAfterMinutes: z.number().min(1).max(240).default(5),
  /** Audit records expire (DynamoDB TTL) after this many days. @default 400 */
  auditRetentionDays: z.number().int().min(7).max(3650).default(400),
});

const EscalationStepSchema = z.strictObject({
  afterMinutes: z.number().min(0).max(10_080),
  nextBusinessDay: z.boolean().optional(),
  page: z.array(z.enum(ROLES)),
  ticket: z.boolean().optional(),
  cancelledByAck: z.boolean(),
});

const EscalationSchema = z.strictObject({
  /**
   * Policies by id: replaces a built-in policy's steps (`p1-standard`...), or defines a new one (e.g. a CTO chain)
   * for `alertPolicies` to use. Durations may be fractions of a minute. @default the runbook's matrix
   */
  policies: z
    .record(
      z.string().regex(/^[a-z0-9-]{1,40}$/),
      z.strictObject({ description: z.string().max(200).optional(), steps: z.array(EscalationStepSchema).max(20) }),
    )
    .default({}),
  /** The policy of an alert, by id, instead of its catalog policy. @default {} */
  alertPolicies: z.partialRecord(z.enum(ALERT_IDS as [string, ...string[]]), z.string()).default({}),
  /** Pages, channel posts and tickets list the changes (ECS deployments, SSM parameters, actions) of this long before. @default 30 */
  recentChangesMinutes: z.number().int().min(5).max(1440).default(30),
  /** When "the next business day" starts. @default 09:00 Monday to Friday, UTC */
  businessHours: z
    .strictObject({
      timezone: z
        .string()
        .refine((tz) => {
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        }, 'must be an IANA time zone such as Europe/Berlin')
        .default('UTC'),
      startHour: z.number().int().min(0).max(23).default(9),
      /** ISO weekdays: 1 = Monday ... 7 = Sunday. */
      days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
    })
    .prefault({}),
  /** The same alert on several services within this window joins one incident (a region outage). @default 10 */
  groupWindowMinutes: z.number().min(0).max(1440).default(10),
  /** Ack and resolve links in pages expire after this. @default 1440 */
  linkTtlMinutes: z.number().int().min(5).max(10_080).default(1440),
  /**
   * Reserved concurrency of the escalation's functions. Reserving is both a guarantee and a cap: a storm of other
   * functions in the account cannot throttle the paging path, and the public link endpoint cannot take the
   * account's pool. Every reserved unit leaves the account's unreserved pool, which AWS keeps at 100 or more
   * (the default account quota is 1,000; a new account's can be lower, and the deploy then fails naming
   * UnreservedConcurrentExecution: ask for a higher quota or lower these). The defaults reserve 25 in all.
   */
  concurrency: z
    .strictObject({
      /**
       * The starter: one invocation per alarm state change. A storm of alarms queues beyond this (EventBridge
       * retries throttled deliveries for 2 hours), and grouping serializes on one lock anyway. @default 10
       */
      starter: z.number().int().min(1).max(1000).default(10),
      /** The pager: one invocation per escalation step due; throttled ones are retried by the state machine. @default 10 */
      pager: z.number().int().min(1).max(1000).default(10),
      /** The public ack/resolve endpoint: humans clicking links. A cap, so that floods of requests cannot use the account's pool. @default 5 */
      endpoint: z.number().int().min(1).max(1000).default(5),
    })
    .prefault({}),
});

/** PagerDuty's Events API hosts: they read Events v2 bodies, not the envelope SNS wraps every HTTPS delivery in. */
const PAGERDUTY_EVENTS_HOST = /(^|\.)events(\.eu)?\.pagerduty\.com$/i;

const SubscriptionSchema = z.union([
  z.strictObject({ email: z.email() }),
  z.strictObject({ sms: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +15551234567') }),
  /**
   * An HTTPS endpoint receives what SNS delivers: a SubscriptionConfirmation to confirm first, then every page in
   * SNS's JSON envelope (the page in its `Message`). PagerDuty is reached through integrations.pagerDuty instead.
   */
  z.strictObject({
    https: z.url({ protocol: /^https$/ }).refine((url) => !PAGERDUTY_EVENTS_HOST.test(new URL(url).hostname), {
      message:
        "PagerDuty's Events API cannot read SNS's HTTPS envelope (nor confirm the subscription): remove this subscription and set integrations.pagerDuty.routingKeySecretArn (Events API v2) instead",
    }),
  }),
]);

export const ConfigSchema = z
  .strictObject({
    /** Prefix of every alarm, topic and stack name. */
    prefix: z.string().regex(NAME, 'must be lower-case letters, digits and dashes, starting with a letter (max 40)'),
    /** @default the CLI's account (CDK_DEFAULT_ACCOUNT); unset synthesizes an environment-agnostic stack */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    /** @default 'us-east-1' */
    region: z.string().regex(AWS_REGION, 'must be an AWS region such as us-east-1').default('us-east-1'),
    /** Base URL of the runbooks; every alarm links `<runbookBaseUrl>/<AlertId>.md`. */
    runbookBaseUrl: z.url({ protocol: /^https$/ }),
    /** API latency SLA (p95). Latency alerts are multiples of it. @default 2 */
    slaSeconds: z.number().positive().max(300).default(2),
    /** Where the AI service publishes its custom metrics. */
    metrics: z
      .strictObject({
        /** @default 'ChatbotAI' */
        namespace: z
          .string()
          .regex(/^[A-Za-z0-9._\-/#:]{1,255}$/)
          .refine((n) => !n.startsWith('AWS/'), 'must not start with AWS/')
          .default('ChatbotAI'),
        /** Dimensions every custom metric carries (e.g. Environment). @default {} */
        dimensions: z.record(z.string().min(1).max(255), z.string().min(1).max(1024)).default({}),
      })
      .prefault({}),
    /** Daily spend budget in USD; DailyBudgetExceeded fires at 1.5x. @default 1000 */
    dailyBudgetUsd: z.number().positive().default(1000),
    /** Normal LLM call rate; LLMCallRateSpike fires at 2x. @default 600 */
    expectedLlmCallsPerMinute: z.number().positive().default(600),
    /**
     * The data pipeline's schedule: DataPipelineStalled fires when no record was processed for one schedule interval
     * plus the allowed delay (a daily job: 24 h + 6 h), so a healthy batch job never pages between its runs.
     */
    dataPipeline: z
      .strictObject({
        /** Minutes between scheduled runs; 0 for a pipeline that processes records all the time. @default 1440 (daily, the runbook's example) */
        scheduleMinutes: z.number().int().min(0).max(10_080).default(1440),
        /** How late a run may be before it is missed: the runbook's "6 hours for daily job". @default 360 */
        allowedDelayMinutes: z.number().int().min(60).max(10_080).default(360),
      })
      .prefault({}),
    /** Regions serving the AI service; PartialRegionOutage needs two or more. @default [region] */
    regions: z.array(z.string().regex(AWS_REGION, 'must be an AWS region such as us-east-1')).min(1).optional(),
    security: z
      .strictObject({
        /** ISO 3166 alpha-2 codes from which API calls are expected. @default ['US'] */
        allowedCountries: z
          .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as US'))
          .min(1)
          .default(['US']),
        /** JSON path of the caller's country in the access log. @default '$.country' */
        countryField: z
          .string()
          .regex(/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/, 'must be a JSON path such as $.country')
          .default('$.country'),
      })
      .prefault({}),
    /** Log groups read by the log-based alerts. A log-based alert needs its group unless it is disabled. */
    logGroups: z.partialRecord(z.enum(LOG_GROUP_KEYS), z.string().regex(LOG_GROUP_NAME, 'must be a log group name')).default({}),
    /** Replaces a log-based alert's filter patterns (e.g. more secret formats for DataLeakDetected). */
    logPatterns: z
      .partialRecord(z.enum(ALERT_IDS as [string, ...string[]]), z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), z.string().min(1).max(1024)))
      .default({}),
    /** ACM certificates watched for expiry. @default [] */
    certificates: z
      .array(
        z.strictObject({
          name: z.string().regex(NAME, 'must be lower-case letters, digits and dashes'),
          arn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'must be an ACM certificate ARN'),
        }),
      )
      .default([]),
    /** The services watched and acted on: at most 1,000 (the largest fleet tested within every AWS quota, docs/deploy.md#fleet-size). */
    services: z
      .array(ServiceSchema)
      .min(1)
      .max(
        MAX_SERVICES,
        `at most ${MAX_SERVICES.toLocaleString('en-US')} services per environment: the largest fleet synthesized within every AWS quota in the tests (docs/deploy.md#fleet-size); split the fleet into environments`,
      ),
    /** SSM parameters the mitigations flip. Defaults are the runbook's. */
    ssm: z
      .strictObject({
        /** @default '/chatbot/fallback-mode' */
        fallbackMode: z.string().regex(SSM_NAME).default('/chatbot/fallback-mode'),
        /** @default '/chatbot/rate-limit' */
        rateLimit: z.string().regex(SSM_NAME).default('/chatbot/rate-limit'),
        /** @default '/feature/ai-model' */
        aiFeatureFlag: z.string().regex(SSM_NAME).default('/feature/ai-model'),
        /** The automation switch: enabled | dry-run | disabled. @default '/<prefix>/automation-mode' */
        automationMode: z.string().regex(SSM_NAME).optional(),
      })
      .prefault({}),
    /** Guard rails and parameters of the automatic mitigations. */
    automation: AutomationSchema.prefault({}),
    /** The escalation matrix: policies, per-alert choices, business hours, grouping, recent-changes window. */
    escalation: EscalationSchema.prefault({}),
    /** Per-alert overrides of the catalog's defaults. */
    alerts: z.partialRecord(z.enum(ALERT_IDS as [string, ...string[]]), AlertOverrideSchema).default({}),
    /** Human subscriptions per role topic. @default {} (nobody is subscribed) */
    subscriptions: z.partialRecord(z.enum(ROLES), z.array(SubscriptionSchema)).default({}),
    /** Tags on every resource. @default {} */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
    /** Most alarms per alarm stack; keeps every template under CloudFormation's 500 resources and 1 MB. @default 300 */
    maxAlarmsPerStack: z.number().int().min(10).max(450).default(300),
    /** Weekly maintenance and expected low-traffic windows: alarms fire and are recorded, nobody is paged, no mitigation runs. */
    silencing: SilencingSchema.prefault({}),
    /** Slack incident channel, status page, tickets, PagerDuty: each off unless configured. */
    integrations: IntegrationsSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.services.forEach((service, index) => {
      if (seen.has(service.name)) {
        ctx.addIssue({ code: 'custom', path: ['services', index, 'name'], message: `duplicate service name`, input: service.name });
      }
      seen.add(service.name);
    });
    checkWindowServices(config.silencing, seen, ctx);
    const model = config.automation.modelService;
    if (model !== undefined && !seen.has(model)) {
      ctx.addIssue({ code: 'custom', path: ['automation', 'modelService'], message: `must name a configured service (${[...seen].join(', ')})`, input: model });
    }
    for (const [alertId, policy] of Object.entries(config.escalation.alertPolicies)) {
      if (policy !== undefined && !(policy in ESCALATION_POLICIES) && !(policy in config.escalation.policies)) {
        ctx.addIssue({
          code: 'custom',
          path: ['escalation', 'alertPolicies', alertId],
          message: 'names no built-in policy and no policy in escalation.policies',
          input: policy,
        });
      }
    }
    const services = [...seen, 'default'];
    for (const name of Object.keys(config.integrations.statusPage?.components ?? {})) {
      if (!services.includes(name))
        ctx.addIssue({
          code: 'custom',
          path: ['integrations', 'statusPage', 'components', name],
          message: `must name a configured service or default (${services.join(', ')})`,
          input: name,
        });
    }
    const pipelineWindow = config.dataPipeline.scheduleMinutes + config.dataPipeline.allowedDelayMinutes;
    // DataPipelineStalled counts one-hour periods, and CloudWatch evaluates at most 7 days of them.
    if (pipelineWindow % 60 !== 0 || pipelineWindow > 10_080) {
      ctx.addIssue({
        code: 'custom',
        path: ['dataPipeline', 'allowedDelayMinutes'],
        message: `scheduleMinutes + allowedDelayMinutes must be whole hours, at most 10080 minutes (7 days, CloudWatch's longest alarm window); scheduleMinutes is ${config.dataPipeline.scheduleMinutes}, the sum ${pipelineWindow}`,
        input: config.dataPipeline.allowedDelayMinutes,
      });
    }
    const regions = config.regions ?? [];
    if (new Set(regions).size !== regions.length) {
      ctx.addIssue({ code: 'custom', path: ['regions'], message: 'regions must be unique', input: regions });
    }
    checkServiceRegions(config, ctx);
    for (const [key, pattern] of Object.entries(config.logPatterns).flatMap(([id, p]) => Object.entries(p ?? {}).map(([k, v]) => [`${id}.${k}`, v] as const))) {
      const regexes = pattern.match(/%[^%]*%/g) ?? [];
      if (regexes.length > 2 || regexes.some((r) => !LOG_REGEX_BODY.test(r.slice(1, -1)))) {
        ctx.addIssue({
          code: 'custom',
          path: ['logPatterns', ...key.split('.')],
          message: 'CloudWatch Logs regex filters allow at most two %regex% terms, without groups "()" or other symbols',
          input: pattern,
        });
      }
    }
  });

/**
 * A service runs only where the environment serves, and names each region once; one in another account needs the
 * environment's own `account`, the owner of the event bus its state changes are forwarded to.
 */
function checkServiceRegions(config: Config, ctx: z.RefinementCtx): void {
  const serving = config.regions ?? [config.region];
  config.services.forEach((service, index) => {
    if (service.account !== undefined && config.account === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['account'],
        message: `must be set when a service runs in another account (services[${index}].account is ${service.account}): the home event bus is in it`,
        input: config.account,
      });
    }
    const seen = new Set<string>();
    (service.regions ?? []).forEach((region, at) => {
      if (!serving.includes(region)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'regions', at],
          message: `must be one of the serving regions (${serving.join(', ')})`,
          input: region,
        });
      } else if (seen.has(region)) {
        ctx.addIssue({ code: 'custom', path: ['services', index, 'regions', at], message: 'duplicate region', input: region });
      }
      seen.add(region);
    });
    // The service's own fields are where its home alarms and responder are: an entry there would be ignored.
    const elsewhere = serviceRegions(config, service).filter((region) => !(region === config.region && runsAtHome(config, service)));
    for (const [region, local] of Object.entries(service.regional ?? {})) {
      if (local.rds && !service.rds) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'regional', region, 'rds'],
          message: 'the service has no database (services[].rds) to name in another region',
          input: local.rds,
        });
      }
      if (!elsewhere.includes(region)) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', index, 'regional', region],
          message: elsewhere.length
            ? `must be a region the service runs in outside the home region (${elsewhere.join(', ')}); its own fields are the home region's`
            : 'the service runs only in the home region, where its own fields apply: move these there',
          input: region,
        });
      }
    }
  });
}

/** What a team writes: every field with a default is optional. */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** What the code reads: defaults applied, everything validated. */
export type Config = z.output<typeof ConfigSchema>;
export type ServiceConfig = Config['services'][number];
export type ApiSource = ServiceConfig['api'];
export type AlertOverride = z.output<typeof AlertOverrideSchema>;
export type Subscription = z.output<typeof SubscriptionSchema>;
export type AutomationConfig = z.output<typeof AutomationSchema>;
export type EscalationConfig = z.output<typeof EscalationSchema>;
