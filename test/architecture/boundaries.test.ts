import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { boundaryViolations, importCycles, moduleOf, readImportGraph, type ImportGraph } from '../../tools/import-graph';

const ROOT = join(__dirname, '..', '..');
/** Every source file of the product and its tools (the tests may import anything, so they are not read). */
const SOURCES = ['bin', 'config', 'lambdas', 'lib', 'tools'].flatMap((dir) =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => `${dir}/${file}`),
);
const planted = (overlay: Record<string, string>): Promise<ImportGraph> => readImportGraph(ROOT, SOURCES, overlay);

describe('the architecture: which part may import which', () => {
  let graph: ImportGraph;
  before(async () => {
    graph = await planted({});
  });

  it('reads the whole code base', () => {
    for (const file of ['lambdas/responder/index.ts', 'lib/core/catalog/index.ts', 'lib/infra/app.ts', 'lib/cli/program.ts', 'tools/demo.ts']) {
      assert.ok(graph.has(file), file);
    }
    assert.ok(
      graph.get('lib/infra/app.ts')?.some((i) => 'pkg' in i && i.pkg === 'aws-cdk-lib'),
      'the CDK app loads aws-cdk-lib',
    );
  });

  it('the Lambdas, the core, the config and the CLI never reach CDK or infrastructure code', () => {
    assert.deepEqual(boundaryViolations(graph), []);
  });

  it('no file imports itself through others, and no module (lib/core/config, lib/core/alarms...) depends on one that depends on it', () => {
    assert.deepEqual(importCycles(graph), []);
    assert.deepEqual(importCycles(graph, moduleOf), []);
  });

  it('fails on a planted violation of each kind, naming the file, the import and the rule', async () => {
    const violations = boundaryViolations(
      await planted({
        'lambdas/responder/planted.ts': "import { Duration } from 'aws-cdk-lib'; export const d = Duration.minutes(1);",
        'lib/core/planted.ts': "import { buildApp } from '../infra/app'; export const b = buildApp;",
        'lib/cli/planted.ts': "export const load = () => import('../../tools/drill/moto');",
        'config/planted.ts': "const nag = require('cdk-nag'); export default nag;",
      }),
    );
    assert.deepEqual(violations.sort(), [
      'config/planted.ts (config) imports cdk-nag: config code never loads CDK',
      'lambdas/responder/planted.ts (runtime) imports aws-cdk-lib: runtime code never loads CDK',
      'lib/cli/planted.ts (cli) imports tools/drill/moto.ts (tools): cli may import core, config, runtime, cli',
      'lib/core/planted.ts (core) imports lib/infra/app.ts (infra): core may import core, config',
    ]);
  });

  it('fails on a planted cycle between files and between modules', async () => {
    const cyclic = await planted({
      'lib/core/alarms/planted.ts': "export { parseConfig } from '../config/planted';",
      'lib/core/config/planted.ts': "export { resolveAlarms } from '../alarms/planted'; export { parseConfig } from './load';",
    });
    assert.deepEqual(importCycles(cyclic), [['lib/core/alarms/planted.ts', 'lib/core/config/planted.ts', 'lib/core/alarms/planted.ts']]);
    assert.deepEqual(importCycles(cyclic, moduleOf), [['lib/core/alarms', 'lib/core/config', 'lib/core/alarms']]);
  });
});
