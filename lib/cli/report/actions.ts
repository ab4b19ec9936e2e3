import type { ActionRecord } from '../../../lambdas/shared/storage/audit-log';

/**
 * "taskDefinition: chatbot-api:2 -> chatbot-api:1": the fields the mitigation sets (its desired state) that
 * changed, or would have in dry-run. Context fields of the state (versions, timestamps) stay in the record.
 */
export function describeChange(record: Pick<ActionRecord, 'before' | 'after' | 'desired' | 'decision'>): string {
  const before = record.before ?? {};
  const after = (record.decision === 'dry-run' ? record.desired : record.after) ?? {};
  const changed = Object.keys(record.desired ?? {}).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (changed.length === 0) return '-';
  return changed.map((k) => `${k}: ${fmt(before[k])} -> ${fmt(after[k])}`).join('; ');
}

const fmt = (v: unknown) => (v === undefined || v === null ? '(none)' : String(v));
