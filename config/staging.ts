import type { ConfigInput } from '../lib/config/schema';
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
  alerts: {
    UsageDrop: { enabled: false },
    ConversionDrop: { enabled: false },
    UserSatisfactionDrop: { enabled: false },
    HighAPIErrorRate: { threshold: 0.1, durationMinutes: 10 },
    DailyBudgetExceeded: { severity: 'P2' },
  },
  subscriptions: { 'on-call-primary': [{ https: 'https://hooks.example.com/staging-alerts' }] },
  tags: { Project: 'runbook-alerting', Owner: 'platform-team', Stage: 'staging' },
};
