import type { ConfigInput } from '../lib/core/config/schema';

/**
 * The runbook's own system: the chatbot API on ECS behind an ALB, its pgvector database on RDS, an OpenAI
 * dependency, two serving regions (the API runs in both). Synthesizes with no edits; copy it to start a new environment.
 */
export const config: ConfigInput = {
  prefix: 'chatbot',
  region: 'us-east-1',
  runbookBaseUrl: 'https://github.com/example-org/runbook-alerting/blob/main/runbooks',
  slaSeconds: 2,
  metrics: { namespace: 'ChatbotAI', dimensions: { Environment: 'prod' } },
  dailyBudgetUsd: 1200,
  expectedLlmCallsPerMinute: 600,
  regions: ['us-east-1', 'us-west-2'],
  security: { allowedCountries: ['US', 'CA'] },
  logGroups: {
    modelOutput: '/aws/ecs/chatbot-api/model-output',
    access: '/aws/ecs/chatbot-api/access',
    application: '/aws/ecs/chatbot-api',
  },
  certificates: [{ name: 'api-cert', arn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555' }],
  services: [
    {
      name: 'chatbot-api',
      ecs: { cluster: 'prod', service: 'chatbot-api' },
      rds: { instanceId: 'chatbot-db', maxConnections: 500 },
      api: { kind: 'alb', loadBalancer: 'app/chatbot-api/50dc6c495c0c9188' },
      // Served from both regions: alarms and a responder in each (docs/regions.md).
      regions: ['us-east-1', 'us-west-2'],
      // The same service in us-west-2: its own load balancer (an ALB's id is random per region) and database.
      regional: {
        'us-west-2': { api: { kind: 'alb', loadBalancer: 'app/chatbot-api/7f3a9c2e41b8d605' }, rds: { instanceId: 'chatbot-db-west' } },
      },
    },
  ],
  subscriptions: {
    'on-call-primary': [{ email: 'oncall-primary@example.com' }],
    'security-team': [{ email: 'security@example.com' }],
  },
  tags: { Project: 'runbook-alerting', Owner: 'platform-team' },
};
