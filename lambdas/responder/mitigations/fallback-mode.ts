import { ssmFlagMitigation } from './ssm-flag';

/** LLM dependency down: serve pre-written fallback responses instead of calling the provider. */
export const fallbackMode = ssmFlagMitigation({
  id: 'fallback-mode',
  title: 'Switch to fallback responses',
  protective: true,
  parameter: (config) => config.ssm.fallbackMode,
  desired: () => 'true',
});
