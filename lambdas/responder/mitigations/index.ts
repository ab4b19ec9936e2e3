import type { MitigationId } from '../../../lib/core/catalog';
import { aiKillSwitch } from './ai-kill-switch';
import { ecsRollback } from './ecs-rollback';
import { ecsScaleOut } from './ecs-scale-out';
import { fallbackMode } from './fallback-mode';
import type { Mitigation } from './mitigation';
import { rateLimit } from './rate-limit';
import { rdsScaleUp } from './rds-scale-up';

/** Every mitigation, by the id the catalog uses. */
export const MITIGATIONS: Readonly<Record<MitigationId, Mitigation>> = {
  'ecs-rollback': ecsRollback,
  'fallback-mode': fallbackMode,
  'rate-limit': rateLimit,
  'ai-kill-switch': aiKillSwitch,
  'rds-scale-up': rdsScaleUp,
  'ecs-scale-out': ecsScaleOut,
};
