import { ssmFlagMitigation } from './ssm-flag';

/** Traffic spike, cost or abuse: limit requests per minute per user (the runbook's 100/min by default). */
export const rateLimit = ssmFlagMitigation({
  id: 'rate-limit',
  title: 'Enable rate limiting',
  parameter: (config) => config.ssm.rateLimit,
  desired: (config) => String(config.automation.rateLimitPerMinute),
});
