/**
 * The architecture's import rules, checked from the source: which part of the code may import which.
 *
 * The runtime-safe core (catalog, config, alarm specs, escalation plan, silences, evaluator) is shared by the CDK
 * app, the Lambdas and the CLI, so it must never load CDK: a Lambda bundle that pulls in aws-cdk-lib grows by
 * megabytes and its cold start with it, and a CLI that does takes seconds to answer at 3 a.m. The rules:
 *
 * | part      | where                          | may import                              |
 * |-----------|--------------------------------|-----------------------------------------|
 * | core      | lib/core/                      | core, config/ (the environments' data)  |
 * | config    | config/                        | core                                    |
 * | runtime   | lambdas/                       | core, runtime                           |
 * | cli       | lib/cli/, bin/oncall.ts        | core, config, runtime, cli              |
 * | infra     | lib/infra/, bin/app.ts, synth  | core, config, infra, runtime (its env and table contracts) |
 * | tools     | tools/ (drill, stand-ins, bench, docs) | anything                        |
 *
 * core, config, runtime and cli never import CDK packages. And no file imports itself through others (no cycles).
 */
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

export type Part = 'core' | 'config' | 'runtime' | 'cli' | 'infra' | 'tools' | 'test';

/** The packages that are CDK: loading any of them from runtime code is the mistake this guards against. */
export const CDK_PACKAGES: ReadonlySet<string> = new Set(['aws-cdk-lib', 'aws-cdk', 'constructs', 'cdk-nag']);

const MAY_IMPORT: Readonly<Record<Part, readonly Part[]>> = {
  core: ['core', 'config'],
  config: ['core', 'config'],
  runtime: ['core', 'runtime'],
  cli: ['core', 'config', 'runtime', 'cli'],
  infra: ['core', 'config', 'infra', 'runtime'],
  tools: ['core', 'config', 'runtime', 'cli', 'infra', 'tools'],
  test: ['core', 'config', 'runtime', 'cli', 'infra', 'tools', 'test'],
};
const MAY_LOAD_CDK: ReadonlySet<Part> = new Set(['infra', 'tools', 'test']);

/** The part a repository-relative path belongs to, or undefined for files outside the checked code. */
export function partOf(file: string): Part | undefined {
  if (file.startsWith('lib/core/')) return 'core';
  if (file.startsWith('lib/cli/') || file === 'bin/oncall.ts') return 'cli';
  if (file.startsWith('lib/infra/') || file === 'bin/app.ts' || file === 'bin/synth.ts') return 'infra';
  if (file.startsWith('lambdas/')) return 'runtime';
  if (file.startsWith('config/')) return 'config';
  if (file.startsWith('tools/')) return 'tools';
  if (file.startsWith('test/')) return 'test';
  return undefined;
}

/** One import of one file: a repository file (`file`) or a package (`pkg`). */
export type Import = { readonly spec: string } & ({ readonly file: string } | { readonly pkg: string });

/** Every file's imports, files by repository-relative path. */
export type ImportGraph = ReadonlyMap<string, readonly Import[]>;

/**
 * Reads what `files` (repository-relative .ts paths) load when they run, resolved by esbuild exactly as it
 * bundles the Lambdas: static imports, re-exports, dynamic `import()` and `require()`. `import type` is erased
 * (it loads nothing, so it cannot pull CDK into a bundle). `overlay` adds or replaces a file's source: what a
 * test plants.
 */
export async function readImportGraph(root: string, files: readonly string[], overlay: Readonly<Record<string, string>> = {}): Promise<ImportGraph> {
  const planted: Plugin = {
    name: 'overlay',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'entry-point' && !args.path.startsWith('.')) return undefined;
        const base = path.relative(root, path.resolve(args.resolveDir, args.path));
        const file = [base, `${base}.ts`, `${base}/index.ts`].find((candidate) => candidate in overlay);
        return file ? { path: path.join(root, file), namespace: 'overlay' } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: 'overlay' }, (args) => ({
        contents: overlay[path.relative(root, args.path)],
        loader: 'ts',
        resolveDir: path.dirname(args.path),
      }));
    },
  };
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: [...files, ...Object.keys(overlay)],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    outdir: 'out',
    logLevel: 'silent',
    plugins: [planted],
  });
  // esbuild names a planted file by its namespace and absolute path, a file on disk by its path from the root.
  const repoPath = (input: string): string => {
    const file = input.replace(/^overlay:/, '');
    return path.isAbsolute(file) ? path.relative(root, file) : file;
  };
  const graph = new Map<string, Import[]>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    const file = repoPath(input);
    graph.set(
      file,
      imports.map(({ path: resolved, original, external }): Import => {
        const spec = original ?? resolved;
        return external ? { spec, pkg: packageName(spec) } : { spec, file: repoPath(resolved) };
      }),
    );
  }
  return graph;
}

function packageName(spec: string): string {
  return spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
}

/** Every broken rule, one line each: `lambdas/x.ts (runtime) imports aws-cdk-lib: runtime code never loads CDK`. */
export function boundaryViolations(graph: ImportGraph): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    const part = partOf(file);
    if (!part) continue;
    for (const imported of imports) {
      if ('pkg' in imported) {
        if (CDK_PACKAGES.has(imported.pkg) && !MAY_LOAD_CDK.has(part)) {
          found.push(`${file} (${part}) imports ${imported.spec}: ${part} code never loads CDK`);
        }
        continue;
      }
      const target = partOf(imported.file);
      if (target && !MAY_IMPORT[part].includes(target)) {
        found.push(`${file} (${part}) imports ${imported.file} (${target}): ${part} may import ${MAY_IMPORT[part].join(', ')}`);
      }
    }
  }
  return found;
}

/**
 * The module a file belongs to, for the cycle check between modules: the first directory (or file) under its part's
 * root, so `lib/core/config/load.ts` is `lib/core/config` and `lib/core/silences.ts` is `lib/core/silences`. A cycle
 * between two such modules (config needing alarms needing config) means neither can be read, tested or moved alone.
 */
export function moduleOf(file: string): string {
  const root = ['lib/core/', 'lib/infra/', 'lib/cli/', 'lambdas/', 'tools/', 'config/', 'bin/'].find((r) => file.startsWith(r)) ?? '';
  const [first = ''] = file.slice(root.length).split('/');
  return root + first.replace(/\.ts$/, '');
}

/**
 * Every import cycle of the graph, each as the nodes around it (the first repeated at the end). Nodes are files,
 * or whatever `nodeOf` maps them to (`moduleOf` for cycles between modules).
 */
export function importCycles(graph: ImportGraph, nodeOf: (file: string) => string = (file) => file): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = nodeOf(file);
    if (!edges.has(from)) edges.set(from, new Set());
    for (const imported of imports) {
      if (!('file' in imported) || !graph.has(imported.file)) continue;
      const to = nodeOf(imported.file);
      if (to !== from) edges.get(from)?.add(to);
    }
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push(startingAtSmallest(stack.slice(stack.indexOf(next))));
      else if (!seen) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** A cycle told from its alphabetically first node, whichever node the search met first. */
function startingAtSmallest(ring: readonly string[]): string[] {
  const smallest = [...ring].sort()[0] ?? '';
  const start = ring.indexOf(smallest);
  return [...ring.slice(start), ...ring.slice(0, start), smallest];
}
