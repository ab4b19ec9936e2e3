import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alarmKey, foreignSource, parseAlarmKey } from '../../lib/core/alarm-source';
import { parseNotification } from '../../lambdas/responder/notification';
import { alarmNotification } from '../../tools/drill/notifications';
import { config, HOME_SERVICE } from '../support/config';

const NAME = 'chatbot-HighAPIErrorRate-chatbot-api';

describe('alarm keys: one alarm name per serving region, one key each', () => {
  const home = config({ account: '123456789012' });

  it('keeps the bare name in the home region and adds the region, then the account, elsewhere', () => {
    assert.equal(alarmKey(home, { alarmName: NAME, account: '123456789012', region: 'us-east-1' }), NAME);
    assert.equal(alarmKey(home, { alarmName: NAME, account: '123456789012', region: 'us-west-2' }), `${NAME}@us-west-2`);
    assert.equal(alarmKey(home, { alarmName: NAME, account: '210987654321', region: 'us-east-1' }), `${NAME}@210987654321/us-east-1`);
    // an environment-agnostic config cannot tell accounts apart: the region alone qualifies
    assert.equal(alarmKey(config(), { alarmName: NAME, account: '210987654321', region: 'us-west-2' }), `${NAME}@us-west-2`);
  });

  it('reads every key back', () => {
    for (const [account, region] of [
      ['123456789012', 'us-east-1'],
      ['123456789012', 'us-west-2'],
      ['210987654321', 'us-west-2'],
    ] as const) {
      const parsed = parseAlarmKey(alarmKey(home, { alarmName: NAME, account, region }));
      assert.equal(parsed.alarmName, NAME);
      assert.equal(parsed.region, region === 'us-east-1' && account === '123456789012' ? undefined : region);
      assert.equal(parsed.account, account === '123456789012' ? undefined : account);
    }
  });

  it('names the region or account a foreign state change comes from', () => {
    assert.equal(foreignSource(home, { alarmName: NAME, account: '123456789012', region: 'us-west-2' }), undefined);
    assert.match(
      foreignSource(home, { alarmName: NAME, account: '123456789012', region: 'eu-west-1' })!,
      /is in eu-west-1, not a region of this environment \(us-east-1, us-west-2\)$/,
    );
    assert.match(
      foreignSource(home, { alarmName: NAME, account: '999999999999', region: 'us-east-1' })!,
      /in account 999999999999, not one of this environment's \(123456789012\)$/,
    );
    // an account a service runs in is the environment's too
    const staging = config({ account: '123456789012', services: [{ ...HOME_SERVICE, account: '999999999999' }] });
    assert.equal(foreignSource(staging, { alarmName: NAME, account: '999999999999', region: 'us-west-2' }), undefined);
    assert.equal(alarmKey(staging, { alarmName: NAME, account: '999999999999', region: 'us-west-2' }), `${NAME}@999999999999/us-west-2`);
    // one region only: the config's `region`
    assert.match(
      foreignSource(config({ regions: undefined, services: [HOME_SERVICE] }), { alarmName: NAME, account: '1', region: 'us-west-2' })!,
      /not a region of this environment \(us-east-1\)$/,
    );
  });
});

describe("a regional responder names the transition as the home region's incident store does", () => {
  it('us-west-2: name@us-west-2@time, the trigger the starter records for the same change', () => {
    const cfg = config();
    const at = new Date('2026-12-07T10:00:00.000Z');
    const change = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', region: 'us-west-2', at };
    const parsed = parseNotification(JSON.stringify(alarmNotification(cfg, change)), {
      config: cfg,
      accountId: '123456789012',
      partition: 'aws',
      region: 'us-west-2',
      now: at,
    });
    assert.equal(parsed.incidentId, `${NAME}@us-west-2@2026-12-07T10:00:00.000Z`);
    // and the home region's responder keeps the bare name, as before regions existed
    const home = parseNotification(JSON.stringify(alarmNotification(cfg, { ...change, region: undefined })), {
      config: cfg,
      accountId: '123456789012',
      partition: 'aws',
      region: 'us-east-1',
      now: at,
    });
    assert.equal(home.incidentId, `${NAME}@2026-12-07T10:00:00.000Z`);
  });
});
