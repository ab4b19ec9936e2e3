import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { runCli } from '../../lib/cli/program';
import type { Silence } from '../../lib/core/silences';
import { oncall } from '../support/cli';
import { useEscalation } from '../support/escalation';
import { DEFAULT_INPUT } from '../support/config';

const { fresh } = useEscalation();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Listed = Silence & { state: string };

describe('oncall silence, silences, unsilence', () => {
  it('silences an alert (the responders honour it), lists it, ends it early and keeps the record', async () => {
    // GIVEN
    const h = await fresh();
    // WHEN on-call silences HighAPIErrorRate for 2 hours
    const created = await oncall(h.moto, ['silence', 'HighAPIErrorRate', '--for', '2h', '--reason', 'bad deploy, rolling forward']);
    // THEN
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /^Silenced alert HighAPIErrorRate until \d{4}-\d\d-\d\d \d\d:\d\dZ \(in 2h00m\): bad deploy, rolling forward$/m);
    assert.match(created.stdout, /nobody is paged and no mitigation runs/);
    const id = /end it early with: npx oncall unsilence ([0-9a-f]{8})/.exec(created.stdout)?.[1];
    assert.ok(id, created.stdout);

    // the real responder and starter honour it
    const fire = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    const records = (await h.deps.audit.listSince('1970')).filter((r) => r.incidentId === fire.incidentId);
    assert.equal(records.length, 4);
    assert.ok(records.every((r) => r.decision === 'skipped' && r.reason.startsWith(`silenced by silence ${id} until `)));

    const table = await oncall(h.moto, ['silences']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(
      table.stdout,
      new RegExp(`${id} +alert HighAPIErrorRate +\\S+ \\S+ \\(in (2h00m|1h59m)\\) +active +\\S+ \\(arn:aws:[^)]+\\) +bad deploy, rolling forward`),
    );
    const json = await oncall(h.moto, ['silences', '--json']);
    const listed = JSON.parse(json.stdout) as { silences: Listed[]; windows: unknown[] };
    assert.deepEqual(
      listed.silences.map((s) => [s.id, s.match, s.state, s.reason]),
      [[id, { alertId: 'HighAPIErrorRate' }, 'active', 'bad deploy, rolling forward']],
    );
    assert.deepEqual(listed.windows, []);
    assert.match(listed.silences[0]!.createdBy, /^\S+ \(arn:aws:/, 'who: the OS user and the AWS principal');

    // WHEN it is ended early
    const ended = await oncall(h.moto, ['unsilence', id]);
    assert.equal(ended.status, 0, ended.stderr);
    assert.match(ended.stdout, new RegExp(`^Ended silence ${id} \\(alert HighAPIErrorRate\\): new alarm transitions page and act again`));
    // THEN it is no longer in force, and the record is kept with who ended it
    assert.match((await oncall(h.moto, ['silences'])).stdout, /^no silences in force$/m);
    const all = JSON.parse((await oncall(h.moto, ['silences', '--all', '--json'])).stdout) as { silences: Listed[] };
    assert.equal(all.silences.length, 1);
    assert.equal(all.silences[0]!.state, 'ended');
    assert.match(all.silences[0]!.endedBy!, /\(arn:aws:/);
    assert.equal(all.silences[0]!.until, all.silences[0]!.endedAt);
    // and ending it again changes nothing
    const again = await oncall(h.moto, ['unsilence', id, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { status: string; silence: Silence }).status, 'already-over');
  });

  it('silences a service or a category (JSON), and a silence expires by itself', async () => {
    const h = await fresh();
    const [service, category, short] = await Promise.all([
      oncall(h.moto, ['silence', '--service', 'chatbot-api', '--for', '30m', '--reason', 'db migration', '--json']),
      oncall(h.moto, ['silence', '--category', 'security', '--for', '1d', '--reason', 'pen test', '--json']),
      oncall(h.moto, ['silence', 'UsageDrop', '--for', '1s', '--reason', 'load test', '--json']),
    ]);
    for (const run of [service, category, short]) assert.equal(run.status, 0, run.stderr);
    const s = JSON.parse(service.stdout) as Silence;
    assert.deepEqual(s.match, { service: 'chatbot-api' });
    assert.equal(Date.parse(s.until) - Date.parse(s.createdAt), 30 * 60_000);
    assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'createdBy', 'id', 'match', 'reason', 'until']);
    assert.deepEqual((JSON.parse(category.stdout) as Silence).match, { category: 'security' });
    await sleep(1100);
    const active = JSON.parse((await oncall(h.moto, ['silences', '--json'])).stdout) as { silences: Listed[] };
    assert.deepEqual(active.silences.map((x) => x.reason).sort(), ['db migration', 'pen test']);
    const all = JSON.parse((await oncall(h.moto, ['silences', '--all', '--json'])).stdout) as { silences: Listed[] };
    assert.deepEqual(
      all.silences.map((x) => [x.reason, x.state]),
      [
        ['pen test', 'active'],
        ['db migration', 'active'],
        ['load test', 'expired'],
      ],
      'ending latest first',
    );
  });

  it('refuses bad input with exit code 2, and an unknown id with 3', async () => {
    const h = await fresh();
    const cases: readonly [readonly string[], RegExp][] = [
      [['silence', '--for', '2h', '--reason', 'x'], /name exactly one of ALERT, --service or --category; received none/],
      [
        ['silence', 'HighAPIErrorRate', '--service', 'chatbot-api', '--for', '2h', '--reason', 'x'],
        /received ALERT HighAPIErrorRate and --service chatbot-api/,
      ],
      [['silence', 'HighAPIErrrorRate', '--for', '2h', '--reason', 'x'], /unknown alert "HighAPIErrrorRate"\. Did you mean: HighAPIErrorRate/],
      [['silence', '--service', 'billing', '--for', '2h', '--reason', 'x'], /unknown service "billing"; configured: chatbot-api/],
      [['silence', '--category', 'network', '--for', '2h', '--reason', 'x'], /unknown category "network"; one of: infrastructure, model-performance/],
      [['silence', 'CostSpike', '--for', '8d', '--reason', 'x'], /--for must be at most 7d, received "8d"/],
      [['silence', 'CostSpike', '--for', 'soon', '--reason', 'x'], /--for: not a duration: "soon"/],
      [['silence', 'CostSpike', '--for', '0m', '--reason', 'x'], /--for must be longer than zero/],
      [['silence', 'CostSpike', '--for', '2h'], /required option '--reason <text>' not specified/],
      [['silence', 'CostSpike', '--for', '2h', '--reason', '  '], /--reason must be 1 to 500 characters/],
    ];
    const runs = await Promise.all(cases.map(([args]) => oncall(h.moto, args)));
    runs.forEach((run, i) => {
      assert.equal(run.status, 2, `${cases[i]![0].join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, cases[i]![1]);
    });
    const none = JSON.parse((await oncall(h.moto, ['silences', '--all', '--json'])).stdout) as { silences: unknown[] };
    assert.deepEqual(none.silences, [], 'nothing was created');
    const unknown = await oncall(h.moto, ['unsilence', 'deadbeef']);
    assert.equal(unknown.status, 3);
    assert.match(unknown.stderr, /no silence deadbeef \(list them with: oncall silences --all\)/);
    const down = await oncall({ endpoint: 'http://127.0.0.1:9' }, ['silences']);
    assert.equal(down.status, 4);
  });

  it('lists the config windows in force now', async () => {
    const h = await fresh();
    // a window from a minute ago to an hour from now (UTC), every day: in force whenever the test runs
    const hhmm = (ms: number) => new Date(Date.now() + ms).toISOString().slice(11, 16);
    const always = { days: [1, 2, 3, 4, 5, 6, 7], start: hhmm(-60_000), end: hhmm(3_600_000) };
    const environments = {
      windows: {
        ...DEFAULT_INPUT,
        silencing: { maintenanceWindows: [{ ...always, name: 'patching', reason: 'kernel patches' }], lowTrafficWindows: [{ ...always, name: 'quiet' }] },
      },
    };
    const out: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL: h.moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });
    try {
      const text = await runCli(['silences', '--env', 'windows'], { out: (t) => out.push(t), err: (t) => out.push(t) }, environments);
      assert.equal(text, 0, out.join(''));
      const code = await runCli(['silences', '--env', 'windows', '--json'], { out: (t) => out.push(t), err: (t) => out.push(t) }, environments);
      assert.equal(code, 0);
    } finally {
      process.env = saved;
    }
    const [table, json] = [out.slice(0, -1).join(''), out.at(-1)!];
    assert.match(table, /^no silences in force$/m);
    assert.match(
      table,
      /Config windows in force now \(silencing in config\/windows\):\n {2}maintenance patching until .*: kernel patches\n {2}low-traffic quiet until .*: expected low-traffic period \(UsageDrop only\)/,
    );
    const windows = (JSON.parse(json) as { windows: { kind: string; name: string; match: unknown; timezone: string }[] }).windows;
    assert.deepEqual(
      windows.map((w) => [w.kind, w.name, w.match, w.timezone]),
      [
        ['maintenance', 'patching', {}, 'UTC'],
        ['low-traffic', 'quiet', {}, 'UTC'],
      ],
    );
  });
});
