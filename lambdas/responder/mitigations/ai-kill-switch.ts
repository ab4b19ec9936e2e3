import { ssmFlagMitigation } from './ssm-flag';

/** Accuracy collapse, hallucinations, data leak: turn the AI feature off ("disable AI immediately"). */
export const aiKillSwitch = ssmFlagMitigation({
  id: 'ai-kill-switch',
  title: 'Disable the AI feature',
  protective: true,
  parameter: (config) => config.ssm.aiFeatureFlag,
  desired: () => 'false',
});
