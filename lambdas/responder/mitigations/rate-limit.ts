import { ssmFlagMitigation } from './ssm-flag';

/** Traffic spike, cost or abuse: limit requests per minute per user (the runbook's 100/min by default). */
export const rateLimit = ssmFlagMitigation({
  id: 'rate-limit',
  title: 'Enable rate limiting',
  // Not protective: it throttles every user, legitimate ones included, at a number from config; the AI stays on.
  protective: false,
  parameter: (config) => config.ssm.rateLimit,
  desired: (config) => String(config.automation.rateLimitPerMinute),
});
