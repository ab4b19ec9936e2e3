import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { regionalServices, serviceRegions } from '../../lib/core/config/regions';
import { config, HOME_SERVICE } from '../support/config';

const service = HOME_SERVICE;
const names = (cfg: ReturnType<typeof config>) => regionalServices(cfg).map(({ region, services }) => [region, services.map((s) => s.name)]);

describe('regional services: where each service runs outside the home region', () => {
  it('a service that names no regions runs in the home region only', () => {
    // GIVEN an environment serving us-east-1 and us-west-2, its service naming no regions
    const cfg = config({ services: [service] });
    // THEN
    assert.deepEqual(serviceRegions(cfg, cfg.services[0]!), ['us-east-1']);
    assert.deepEqual(regionalServices(cfg), []);
  });

  it('lists each region outside the home one with its services, in the order of regions and services', () => {
    // GIVEN
    const cfg = config({
      regions: ['us-east-1', 'eu-west-1', 'us-west-2'],
      services: [
        { ...service, name: 'a', regions: ['us-west-2', 'us-east-1'] },
        { ...service, name: 'b' },
        { ...service, name: 'c', regions: ['us-west-2', 'eu-west-1'] },
      ],
    });
    // WHEN / THEN
    assert.deepEqual(names(cfg), [
      ['eu-west-1', ['c']],
      ['us-west-2', ['a', 'c']],
    ]);
  });

  it('leaves out a serving region no service runs in', () => {
    const cfg = config({ services: [{ ...service, regions: ['us-east-1'] }] });
    assert.deepEqual(regionalServices(cfg), []);
  });
});
