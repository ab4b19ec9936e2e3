import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseConfig } from '../lib/core/config/load';
import type { ConfigInput } from '../lib/core/config/schema';
import { ConfigError } from '../lib/core/errors';
import { describeHit, silencedBy, subjectOf, windowEnd, type Silence, type SilenceMatch, type SilenceSubject } from '../lib/core/silences';
import { DEFAULT_INPUT, HOME_SERVICE } from './support/config';

const NOW = new Date('2026-01-06T12:00:00.000Z'); // a Tuesday
const service = HOME_SERVICE;
const twoServices = [service, { ...service, name: 'search-api', ecs: { cluster: 'prod', service: 'search-api' }, rds: undefined }];
const configWith = (silencing: ConfigInput['silencing'] = {}) => parseConfig('test', { ...DEFAULT_INPUT, services: twoServices, silencing });
const NO_WINDOWS = configWith();

const silence = (match: SilenceMatch, until = '2026-01-06T14:00:00.000Z', extra: Partial<Silence> = {}): Silence => ({
  id: 'a1b2c3d4',
  match,
  until,
  createdAt: '2026-01-06T11:00:00.000Z',
  createdBy: 'alice (arn:aws:iam::123456789012:user/alice)',
  reason: 'deploying the fix',
  ...extra,
});
const subject = (alertId: string, instance?: string): SilenceSubject => subjectOf(alertId, instance)!;

describe('silencedBy: ad-hoc silences match exactly their alerts', () => {
  const rows: readonly { readonly match: SilenceMatch; readonly silenced: readonly [string, string?][]; readonly notSilenced: readonly [string, string?][] }[] =
    [
      {
        match: { alertId: 'HighAPIErrorRate' },
        silenced: [
          ['HighAPIErrorRate', 'chatbot-api'],
          ['HighAPIErrorRate', 'search-api'],
        ],
        notSilenced: [['HighAPILatency', 'chatbot-api'], ['ModelAccuracyDrop'], ['UsageDrop', 'chatbot-api']],
      },
      {
        match: { service: 'chatbot-api' },
        silenced: [
          ['HighAPIErrorRate', 'chatbot-api'],
          ['DatabaseHighCPU', 'chatbot-api'],
          ['UsageDrop', 'chatbot-api'],
        ],
        // environment-wide alerts have no service, even when they act on the model's service
        notSilenced: [['HighAPIErrorRate', 'search-api'], ['ModelAccuracyDrop'], ['CostSpike'], ['CertificateExpiring', 'chatbot-api']],
      },
      {
        match: { category: 'security' },
        silenced: [['DataLeakDetected'], ['AuthFailureBurst'], ['PromptInjectionBurst']],
        notSilenced: [['HighAPIErrorRate', 'chatbot-api'], ['CostSpike'], ['ModelAccuracyDrop']],
      },
      {
        match: { category: 'model-performance' },
        silenced: [['ModelAccuracyDrop'], ['HallucinationSpike']],
        notSilenced: [['HighAPIErrorRate', 'chatbot-api'], ['DataDriftDetected']],
      },
    ];
  for (const row of rows) {
    it(`${JSON.stringify(row.match)} silences ${row.silenced.map((s) => s.join('@')).join(', ')} and nothing else listed`, () => {
      for (const [alertId, instance] of row.silenced) {
        assert.deepEqual(
          silencedBy(NOW, subject(alertId, instance), [silence(row.match)], NO_WINDOWS),
          { kind: 'silence', name: 'a1b2c3d4', until: '2026-01-06T14:00:00.000Z', reason: 'deploying the fix' },
          `${alertId}@${instance}`,
        );
      }
      for (const [alertId, instance] of row.notSilenced) {
        assert.equal(silencedBy(NOW, subject(alertId, instance), [silence(row.match)], NO_WINDOWS), undefined, `${alertId}@${instance}`);
      }
    });
  }

  it('expires by itself: until is exclusive; an ended silence is over', () => {
    const s = subject('HighAPIErrorRate', 'chatbot-api');
    const match = { alertId: 'HighAPIErrorRate' };
    assert.ok(silencedBy(NOW, s, [silence(match, '2026-01-06T12:00:00.001Z')], NO_WINDOWS));
    assert.equal(silencedBy(NOW, s, [silence(match, '2026-01-06T12:00:00.000Z')], NO_WINDOWS), undefined);
    assert.equal(
      silencedBy(NOW, s, [silence(match, '2026-01-06T11:30:00.000Z', { endedAt: '2026-01-06T11:30:00.000Z', endedBy: 'bob' })], NO_WINDOWS),
      undefined,
    );
    assert.equal(silencedBy(new Date('2026-01-06T14:00:00.000Z'), s, [silence(match)], NO_WINDOWS), undefined);
  });

  it('of several that match, the one lasting longest says when paging resumes', () => {
    const hit = silencedBy(
      NOW,
      subject('HighAPIErrorRate', 'chatbot-api'),
      [silence({ alertId: 'HighAPIErrorRate' }), silence({ service: 'chatbot-api' }, '2026-01-06T18:00:00.000Z', { id: 'ffff0000', reason: 'db migration' })],
      NO_WINDOWS,
    );
    assert.equal(describeHit(hit!), 'silenced by silence ffff0000 until 2026-01-06T18:00:00.000Z: db migration');
  });
});

describe('windowEnd: weekly windows in local time', () => {
  const rows: readonly {
    readonly name: string;
    readonly window: { days: number[]; start: string; end: string; timezone: string };
    readonly at: string;
    readonly until: string | undefined;
  }[] = [
    {
      name: 'inside a same-day window',
      window: { days: [1, 2, 3, 4, 5], start: '11:00', end: '13:30', timezone: 'UTC' },
      at: '2026-01-06T12:00:00Z',
      until: '2026-01-06T13:30:00.000Z',
    },
    {
      name: 'at its start (inclusive)',
      window: { days: [2], start: '12:00', end: '13:00', timezone: 'UTC' },
      at: '2026-01-06T12:00:00Z',
      until: '2026-01-06T13:00:00.000Z',
    },
    { name: 'at its end (exclusive)', window: { days: [2], start: '11:00', end: '12:00', timezone: 'UTC' }, at: '2026-01-06T12:00:00Z', until: undefined },
    { name: 'on a day not listed', window: { days: [1, 3], start: '11:00', end: '13:00', timezone: 'UTC' }, at: '2026-01-06T12:00:00Z', until: undefined },
    // Sunday 22:00 to Monday 06:00 in Berlin (UTC+1 in January)
    {
      name: 'across midnight, before midnight',
      window: { days: [7], start: '22:00', end: '06:00', timezone: 'Europe/Berlin' },
      at: '2026-01-11T22:30:00Z',
      until: '2026-01-12T05:00:00.000Z',
    },
    {
      name: 'across midnight, after midnight (started the day before)',
      window: { days: [7], start: '22:00', end: '06:00', timezone: 'Europe/Berlin' },
      at: '2026-01-12T04:59:00Z',
      until: '2026-01-12T05:00:00.000Z',
    },
    {
      name: 'across midnight, after its end',
      window: { days: [7], start: '22:00', end: '06:00', timezone: 'Europe/Berlin' },
      at: '2026-01-12T05:00:00Z',
      until: undefined,
    },
    {
      name: 'across midnight, early on the start day itself (belongs to the day before)',
      window: { days: [7], start: '22:00', end: '06:00', timezone: 'Europe/Berlin' },
      at: '2026-01-11T03:00:00Z',
      until: undefined,
    },
    {
      name: 'across midnight, Monday night is not Sunday night',
      window: { days: [7], start: '22:00', end: '06:00', timezone: 'Europe/Berlin' },
      at: '2026-01-12T22:30:00Z',
      until: undefined,
    },
    // the local day differs from the UTC day: 00:30 UTC Tuesday is 19:30 Monday in New York
    {
      name: 'local weekday, not the UTC one',
      window: { days: [1], start: '19:00', end: '20:00', timezone: 'America/New_York' },
      at: '2026-01-06T00:30:00Z',
      until: '2026-01-06T01:00:00.000Z',
    },
    {
      name: 'winter offset (EST): 14:30Z is 09:30',
      window: { days: [2], start: '09:00', end: '10:00', timezone: 'America/New_York' },
      at: '2026-01-06T14:30:00Z',
      until: '2026-01-06T15:00:00.000Z',
    },
    {
      name: 'summer offset (EDT): 14:30Z is 10:30',
      window: { days: [2], start: '09:00', end: '10:00', timezone: 'America/New_York' },
      at: '2026-07-07T14:30:00Z',
      until: undefined,
    },
    // the night Berlin moves to summer time (02:00 -> 03:00 on Sunday 29 March 2026): 06:00 CEST is 04:00Z
    {
      name: 'across a DST change',
      window: { days: [6], start: '22:00', end: '06:00', timezone: 'Europe/Berlin' },
      at: '2026-03-29T03:30:00Z',
      until: '2026-03-29T04:00:00.000Z',
    },
    {
      name: 'half-hour offset zone',
      window: { days: [2], start: '17:00', end: '18:00', timezone: 'Asia/Kolkata' },
      at: '2026-01-06T12:00:00Z',
      until: '2026-01-06T12:30:00.000Z',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(windowEnd(row.window, new Date(row.at)), row.until);
    });
  }
});

describe('silencedBy: config windows', () => {
  const nightly = { name: 'nightly-low', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '06:00', timezone: 'UTC' };
  const at3 = new Date('2026-01-06T03:00:00Z');

  it('a low-traffic window quiets UsageDrop only (the runbook: "not during expected low-traffic period")', () => {
    const config = configWith({ lowTrafficWindows: [nightly] });
    assert.deepEqual(silencedBy(at3, subject('UsageDrop', 'chatbot-api'), [], config), {
      kind: 'low-traffic',
      name: 'nightly-low',
      until: '2026-01-06T06:00:00.000Z',
      reason: 'expected low-traffic period (UsageDrop only)',
    });
    for (const [alertId, instance] of [
      ['HighAPIErrorRate', 'chatbot-api'],
      ['ConversionDrop', undefined],
      ['ModelAccuracyDrop', undefined],
    ] as const) {
      assert.equal(silencedBy(at3, subject(alertId, instance), [], config), undefined, alertId);
    }
    assert.equal(silencedBy(new Date('2026-01-06T07:00:00Z'), subject('UsageDrop', 'chatbot-api'), [], config), undefined, 'outside the window');
  });

  it('a low-traffic window narrowed to a service quiets only that service', () => {
    const config = configWith({ lowTrafficWindows: [{ ...nightly, match: { services: ['search-api'] }, reason: 'search is idle at night' }] });
    assert.equal(silencedBy(at3, subject('UsageDrop', 'chatbot-api'), [], config), undefined);
    assert.equal(silencedBy(at3, subject('UsageDrop', 'search-api'), [], config)?.reason, 'search is idle at night');
  });

  it('a maintenance window quiets what its match names; fields combine with AND, values with OR', () => {
    const config = configWith({
      maintenanceWindows: [
        {
          name: 'db-patching',
          days: [2],
          start: '02:00',
          end: '04:00',
          match: { services: ['chatbot-api'], categories: ['infrastructure'] },
          reason: 'RDS patching',
        },
      ],
    });
    assert.equal(silencedBy(at3, subject('DatabaseHighCPU', 'chatbot-api'), [], config)?.name, 'db-patching');
    assert.equal(silencedBy(at3, subject('HighAPIErrorRate', 'chatbot-api'), [], config)?.kind, 'maintenance');
    assert.equal(silencedBy(at3, subject('HighAPIErrorRate', 'search-api'), [], config), undefined, 'other service');
    assert.equal(silencedBy(at3, subject('UsageDrop', 'chatbot-api'), [], config), undefined, 'other category');
    assert.equal(silencedBy(at3, subject('ModelAccuracyDrop'), [], config), undefined, 'no service');
  });

  it('an empty match quiets everything during the window', () => {
    const config = configWith({ maintenanceWindows: [{ name: 'all-hands', days: [2], start: '02:00', end: '04:00' }] });
    for (const [alertId, instance] of [
      ['HighAPIErrorRate', 'chatbot-api'],
      ['DataLeakDetected', undefined],
      ['UsageDrop', 'search-api'],
    ] as const) {
      assert.deepEqual(silencedBy(at3, subject(alertId, instance), [], config), {
        kind: 'maintenance',
        name: 'all-hands',
        until: '2026-01-06T04:00:00.000Z',
        reason: 'planned maintenance',
      });
    }
  });
});

describe('silencing config is validated, naming the field', () => {
  const window = { name: 'patching', days: [2], start: '02:00', end: '04:00' };
  const rows: readonly { readonly name: string; readonly silencing: unknown; readonly field: string; readonly received?: string }[] = [
    {
      name: 'hour 24',
      silencing: { maintenanceWindows: [{ ...window, start: '24:00' }] },
      field: 'silencing.maintenanceWindows[0].start',
      received: '"24:00"',
    },
    { name: 'H:MM', silencing: { maintenanceWindows: [{ ...window, end: '4:00' }] }, field: 'silencing.maintenanceWindows[0].end', received: '"4:00"' },
    { name: 'empty window', silencing: { maintenanceWindows: [{ ...window, end: '02:00' }] }, field: 'silencing.maintenanceWindows[0].end' },
    {
      name: 'name with spaces',
      silencing: { maintenanceWindows: [{ ...window, name: 'DB patching' }] },
      field: 'silencing.maintenanceWindows[0].name',
      received: '"DB patching"',
    },
    { name: 'duplicate name', silencing: { maintenanceWindows: [window, window] }, field: 'silencing.maintenanceWindows[1].name', received: '"patching"' },
    { name: 'weekday 8', silencing: { maintenanceWindows: [{ ...window, days: [8] }] }, field: 'silencing.maintenanceWindows[0].days[0]', received: '8' },
    { name: 'no days', silencing: { maintenanceWindows: [{ ...window, days: [] }] }, field: 'silencing.maintenanceWindows[0].days' },
    {
      name: 'unknown time zone',
      silencing: { maintenanceWindows: [{ ...window, timezone: 'Mars/Olympus' }] },
      field: 'silencing.maintenanceWindows[0].timezone',
      received: '"Mars/Olympus"',
    },
    {
      name: 'unknown alert',
      silencing: { maintenanceWindows: [{ ...window, match: { alerts: ['HighApiErrorRate'] } }] },
      field: 'silencing.maintenanceWindows[0].match.alerts[0]',
      received: '"HighApiErrorRate"',
    },
    {
      name: 'unknown service',
      silencing: { maintenanceWindows: [{ ...window, match: { services: ['billing'] } }] },
      field: 'silencing.maintenanceWindows[0].match.services[0]',
      received: '"billing"',
    },
    {
      name: 'low-traffic window for another alert',
      silencing: { lowTrafficWindows: [{ ...window, match: { alerts: ['HighAPIErrorRate'] } }] },
      field: 'silencing.lowTrafficWindows[0].match.alerts',
    },
    {
      name: 'low-traffic window by category',
      silencing: { lowTrafficWindows: [{ ...window, match: { categories: ['business'] } }] },
      field: 'silencing.lowTrafficWindows[0].match.categories',
    },
    {
      name: 'unknown window field',
      silencing: { maintenanceWindows: [{ ...window, until: '05:00' }] },
      field: 'silencing.maintenanceWindows[0].until',
      received: '"05:00"',
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.throws(
        () => parseConfig('broken', { ...DEFAULT_INPUT, silencing: row.silencing }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error));
          const problem = error.problems.find((p) => p.field === row.field);
          assert.ok(problem, `no problem names ${row.field}: ${JSON.stringify(error.problems)}`);
          if (row.received !== undefined) assert.equal(problem.received, row.received);
          return true;
        },
      );
    });
  }

  it('defaults to no windows, and a low-traffic window may list UsageDrop itself', () => {
    assert.deepEqual(parseConfig('ok', DEFAULT_INPUT).silencing, { maintenanceWindows: [], lowTrafficWindows: [] });
    const config = configWith({ lowTrafficWindows: [{ ...window, match: { alerts: ['UsageDrop'] } }] });
    assert.equal(config.silencing.lowTrafficWindows[0]!.timezone, 'UTC');
  });
});
