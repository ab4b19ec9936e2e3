import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { ActionsJson, AutomationStatusJson, IncidentShowJson, IncidentsJson, SilenceJson, SilencesJson } from '../../lib/cli/json-shapes';
import { oncall } from '../support/cli';
import { useEscalation } from '../support/escalation';

const { fresh } = useEscalation();

describe('--json outputs match their documented shapes (lib/cli/json-shapes.ts)', () => {
  it('actions, incidents, incident show, automation status, silence, silences', async () => {
    // GIVEN a world with actions (acted and skipped), an acknowledged incident, a silenced one and a switch change
    const h = await fresh();
    const { incidentId } = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    await oncall(h.moto, ['ack', incidentId!]);
    await oncall(h.moto, ['automation', 'dry-run', '--reason', 'shape test']);
    // and a silenced incident, whose escalation waits for the silence to end
    await oncall(h.moto, ['silence', 'ModelAccuracyDrop', '--for', '1h', '--reason', 'retraining']);
    const silenced = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    assert.ok((await h.deps.store.get(silenced.incidentId!))!.escalationDeferredUntil);
    const cases: [string[], z.ZodType][] = [
      [['actions', '--json'], ActionsJson],
      [['incidents', '--json'], IncidentsJson],
      [['incident', 'show', incidentId!, '--json'], IncidentShowJson],
      [['automation', 'status', '--json'], AutomationStatusJson],
      [['silence', 'UsageDrop', '--for', '2h', '--reason', 'shape test', '--json'], SilenceJson],
      [['silences', '--all', '--json'], SilencesJson],
    ];
    for (const [args, shape] of cases) {
      // WHEN
      const run = await oncall(h.moto, args);
      // THEN it parses and matches, with no field the documentation does not know
      assert.equal(run.status, 0, run.stderr);
      const parsed = shape.safeParse(JSON.parse(run.stdout));
      assert.ok(parsed.success, `${args.join(' ')}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    }
  });
});
