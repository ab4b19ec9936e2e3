import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alarmKey, foreignSource, parseAlarmKey } from '../../lib/core/alarm-source';
import { config } from '../support/synth';

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
      /in account 999999999999, not this environment's \(123456789012\)$/,
    );
    // one region only: the config's `region`
    assert.match(
      foreignSource(config({ regions: undefined }), { alarmName: NAME, account: '1', region: 'us-west-2' })!,
      /not a region of this environment \(us-east-1\)$/,
    );
  });
});
