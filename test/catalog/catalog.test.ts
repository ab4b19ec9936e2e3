import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ALERTS, ESCALATION_POLICIES, findAlert, MITIGATION_IDS, alarmName, parseAlarmName } from '../../lib/core/catalog';

describe('catalog entries', () => {
  it('ids are unique PascalCase', () => {
    const ids = ALERTS.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^[A-Z][A-Za-z0-9]+$/);
  });

  for (const alert of ALERTS) {
    it(`${alert.id} is internally consistent`, () => {
      assert.ok(alert.datapointsToAlarm <= alert.evaluationPeriods, 'M must not exceed N');
      assert.ok(alert.periodSeconds % 60 === 0 || [10, 20, 30].includes(alert.periodSeconds), 'period');
      for (const id of alert.relatedAlerts) assert.ok(findAlert(id), `related alert ${id} does not exist`);
      assert.ok(!alert.relatedAlerts.includes(alert.id), 'an alert is not related to itself');
      for (const m of alert.mitigations) assert.ok((MITIGATION_IDS as readonly string[]).includes(m), `mitigation ${m}`);
      // The escalation policy belongs to the alert's severity.
      assert.ok(ESCALATION_POLICIES[alert.escalationPolicy].id.startsWith(alert.severity.toLowerCase()), `${alert.escalationPolicy} for ${alert.severity}`);
      const m = alert.measurement;
      if (m.kind === 'math' || m.kind === 'anomaly') {
        const used = new Set(m.expression.match(/\b[a-z][A-Za-z0-9]*\b/g));
        for (const id of Object.keys(m.metrics)) assert.ok(used.has(id), `metric ${id} unused in ${m.expression}`);
        for (const id of used) assert.ok(id in m.metrics, `expression uses undefined metric ${id}`);
      }
      if (m.kind === 'anomaly') assert.match(alert.comparison, /Threshold$/);
      if (alert.severity === 'P4') assert.deepEqual(alert.mitigations, [], 'informational alerts never act');
    });
  }

  it('alarm names round-trip through the naming scheme', () => {
    for (const alert of ALERTS) {
      assert.deepEqual(parseAlarmName('chatbot', alarmName('chatbot', alert.id, 'chatbot-api')), { alertId: alert.id, instance: 'chatbot-api' });
      assert.deepEqual(parseAlarmName('chatbot', alarmName('chatbot', alert.id)), { alertId: alert.id, instance: undefined });
    }
    assert.equal(parseAlarmName('chatbot', 'other-HighAPIErrorRate'), undefined);
  });
});
