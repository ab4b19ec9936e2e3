/**
 * What an incident's escalation costs in Step Functions: state transitions of the real synthesized state
 * machine, run in-process with the escalation matrix compressed (1 hour = 1 second), for the three
 * scenarios; dollars at the Standard workflow price.
 */
import { performance } from 'node:perf_hooks';
import { findAlert } from '../../lib/core/catalog';
import { planSteps, policyFor } from '../../lib/core/escalation-plan';
import { loadEnvironment } from '../../lib/core/config/environment';
import { definitionOf, localRunner } from '../drill/local-runner';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/infra/app';
import { type BenchRow, runStandalone } from './bench-row';

/** Step Functions Standard workflows, us-east-1: $0.025 per 1,000 state transitions (aws.amazon.com/step-functions/pricing, read 2026-11). */
export const PRICE_PER_TRANSITION_USD = 0.025 / 1000;
const SECONDS_PER_HOUR = 1;

interface Scenario {
  readonly name: string;
  readonly alertId: string;
  /** Minutes after opening. */
  readonly ackAt?: number;
  readonly resolveAt?: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'P1 acknowledged at 20 min, resolved at 90 min', alertId: 'ModelAccuracyDrop', ackAt: 20, resolveAt: 90 },
  { name: 'P1 acknowledged at 20 min, never resolved (runs to the VP step)', alertId: 'ModelAccuracyDrop', ackAt: 20 },
  { name: 'P1 never acknowledged, paged up to the VP', alertId: 'ModelAccuracyDrop' },
  { name: 'P2 resolved in 30 min', alertId: 'HighAPILatency', resolveAt: 30 },
];

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  void opts;
  const config = loadEnvironment('default');
  const core = Template.fromStack(buildApp({ config, nag: false, appProps: { builtinCloudFormationValidation: false } }).core);
  const machine = Object.values(core.findResources('AWS::StepFunctions::StateMachine')).find(
    (m) => (m as { Properties: { StateMachineName: string } }).Properties.StateMachineName === `${config.prefix}-escalation`,
  );
  const definition = definitionOf(machine as { Properties: { DefinitionString: unknown } });
  const toMs = (minutes: number) => (minutes / 60) * SECONDS_PER_HOUR * 1000;

  const rows: BenchRow[] = [];
  for (const scenario of SCENARIOS) {
    const alert = findAlert(scenario.alertId)!;
    const opened = Date.now();
    const start = new Date(opened);
    // The real timetable, compressed: each step keeps its place relative to the others.
    const steps = planSteps(policyFor(alert, config), start, { config, severity: alert.severity, customerFacing: alert.customerFacing }).map((s) => ({
      ...s,
      at: new Date(opened + ((Date.parse(s.at) - opened) / 3_600_000) * SECONDS_PER_HOUR * 1000).toISOString(),
    }));
    let acked = false;
    const pages: number[] = [];
    const runner = localRunner(definition, {
      // The pager's decision without AWS: skip an ack deadline once acknowledged.
      PageStep: async (input) => {
        const { step } = input as { step: { index: number; cancelledByAck: boolean } };
        if (!(step.cancelledByAck && acked)) pages.push(step.index);
        return { paged: [] };
      },
    });
    const { arn } = await runner.start('bench', { incidentId: scenario.name, steps });
    const timers = [
      scenario.ackAt === undefined ? undefined : setTimeout(() => (acked = true), toMs(scenario.ackAt)),
      scenario.resolveAt === undefined ? undefined : setTimeout(() => void runner.stop(arn, 'resolved'), toMs(scenario.resolveAt)),
    ];
    const started = performance.now();
    const outcome = await runner.executions.get('bench')!.done;
    timers.forEach((t) => t && clearTimeout(t));
    const transitions = runner.executions.get('bench')!.states.length;
    rows.push({
      name: `escalation: ${scenario.name}`,
      value: transitions,
      unit: 'transitions',
      note: `$${(transitions * PRICE_PER_TRANSITION_USD).toFixed(6)} per incident; steps paged ${JSON.stringify(pages)}; ${outcome} (${Math.round(performance.now() - started)} ms at 1 h = 1 s)`,
    });
  }
  return rows;
}

if (require.main === module) runStandalone(run);
