import type { ConfigInput } from '../lib/core/config/schema';
import { config as production } from './default';

/**
 * An example of per-environment overrides: the same system with a looser SLA, a smaller budget, quieter
 * business alerts (staging traffic is synthetic) and pages to a chat webhook instead of people.
 */
export const config: ConfigInput = {
  ...production,
  prefix: 'chatbot-staging',
  slaSeconds: 3,
  dailyBudgetUsd: 200,
  metrics: { namespace: 'ChatbotAI', dimensions: { Environment: 'staging' } },
  regions: ['us-east-1'],
  // Staging serves one region.
  services: production.services.map(({ regional, ...service }) => ({ ...service, regions: ['us-east-1'] })),
  alerts: {
    UsageDrop: { enabled: false },
    ConversionDrop: { enabled: false },
    UserSatisfactionDrop: { enabled: false },
    HighAPIErrorRate: { threshold: 0.1, durationMinutes: 10 },
    DailyBudgetExceeded: { severity: 'P2' },
  },
  subscriptions: { 'on-call-primary': [{ https: 'https://hooks.example.com/staging-alerts' }] },
  // Secrets are created once per account (docs/collaboration.md: Secrets); the config names only their ARNs.
  integrations: {
    slack: {
      tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:chatbot-staging/slack-bot-token-AbCdEf',
      inviteUserGroup: 'S0614TZR7',
      severities: ['P1', 'P2'],
    },
    statusPage: {
      apiKeySecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:chatbot-staging/statuspage-api-key-GhIjKl',
      pageId: 'kctbh9vrtdwd',
      components: { default: '8kbf7d35c070' },
    },
    tickets: {
      provider: 'github',
      // By name, without the random suffix: the API accepts it, the grant matches the suffix with -??????.
      tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:chatbot-staging/github-token',
      repository: 'acme/chatbot-ops',
    },
  },
  tags: { Project: 'runbook-alerting', Owner: 'platform-team', Stage: 'staging' },
};
