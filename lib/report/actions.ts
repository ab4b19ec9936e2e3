import type { ActionRecord } from '../../lambdas/shared/audit-log';
import { renderTable } from './table';

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

/** The executed-action log as on-call reads it. Oldest first, so it reads like a timeline. */
export function renderActions(records: readonly ActionRecord[]): string {
  const rank = { acted: 0, 'dry-run': 1, evaluating: 2, skipped: 3 } as const;
  const rows = [...records]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || rank[a.decision] - rank[b.decision] || a.mitigation.localeCompare(b.mitigation))
    .map((r) => [
      r.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      r.alertId,
      r.mitigation,
      r.target ?? '-',
      r.mode,
      r.decision,
      describeChange(r),
      r.outcome ?? '-',
      r.decision === 'skipped' ? r.reason : r.actionId,
    ]);
  return renderTable(['TIME', 'ALERT', 'MITIGATION', 'TARGET', 'MODE', 'DECISION', 'BEFORE -> AFTER', 'OUTCOME', 'ACTION ID / WHY SKIPPED'], rows);
}
