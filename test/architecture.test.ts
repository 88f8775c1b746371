import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * The layering ARCHITECTURE.md describes, executed: which top-level folder may import which, and no
 * cycle between folders. Only production code counts: tests and test support (test/, *.test.ts,
 * testing.ts, nock-*.ts, test-servers.ts) may reach anywhere, but production code may not reach them
 * (bench/ may: a benchmark starts the same harness the tests do).
 * connectors/kit has its own, stricter test (connectors/kit/boundary.test.ts).
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', 'dist', 'data', 'test-results', '.git', '.stryker-tmp', 'reports']);

/** A unit of the layering: a top-level folder, except that the kit and the built-in connectors differ. */
export function unitOf(file: string): string {
  const parts = relative(ROOT, file).split(sep);
  if (parts[0] === 'connectors') return parts[1] === 'kit' ? 'kit' : 'connectors';
  if (parts[0] === 'sdk') return parts[1] === 'src' ? 'sdk' : 'sdk-tools';
  return parts.length > 1 ? parts[0]! : '(root)';
}

export const isTestSupport = (file: string): boolean => {
  const rel = relative(ROOT, file);
  return rel.startsWith(`test${sep}`) || /\.test\.tsx?$/.test(rel) || /(^|\/)(testing|test-servers|nock-[\w-]+)\.ts$/.test(rel.split(sep).join('/'));
};

/** What each unit may import besides itself (everything else is a violation). */
export const ALLOWED: Record<string, string[]> = {
  kit: [],
  migrations: [],
  core: ['kit', 'migrations'],
  connectors: ['kit'],
  ai: ['core', 'kit', 'connectors'],
  rules: ['core', 'kit', 'connectors', 'ai'],
  api: ['core', 'kit', 'connectors', 'ai', 'rules'],
  app: ['core', 'kit', 'connectors', 'ai', 'rules', 'api'],
  cli: ['app', 'core', 'kit', 'connectors', 'ai', 'rules', 'api', 'migrations'],
  sdk: [],
  'sdk-tools': ['sdk', 'app', 'api', 'core'],
  widget: ['core'],
  dashboard: [],
  deploy: [],
  bench: ['app', 'cli', 'core', 'kit', 'connectors', 'api', 'widget', 'sdk', 'migrations'],
  examples: ['kit', 'sdk'],
  bin: ['cli'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name) || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file: static, re-exports, side-effect and dynamic `import('…')` with a literal. */
export function importsOf(source: string): string[] {
  const specs = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return [...new Set(specs)];
}

export interface Edge {
  from: string;
  to: string;
  file: string;
  spec: string;
}

export function productionEdges(files: string[], read: (f: string) => string = (f) => readFileSync(f, 'utf8')): { edges: Edge[]; toTestSupport: Edge[] } {
  const edges: Edge[] = [];
  const toTestSupport: Edge[] = [];
  for (const file of files) {
    if (isTestSupport(file)) continue;
    for (const spec of importsOf(read(file))) {
      const target = resolve(dirname(file), spec);
      const edge = { from: unitOf(file), to: unitOf(target), file: relative(ROOT, file), spec };
      if (isTestSupport(target)) {
        if (edge.from !== 'bench') toTestSupport.push(edge);
      }
      else if (edge.from !== edge.to) edges.push(edge);
    }
  }
  return { edges, toTestSupport };
}

export function violations(edges: Edge[]): string[] {
  return edges.filter((e) => !(ALLOWED[e.from] ?? []).includes(e.to)).map((e) => `${e.file} (${e.from}) → ${e.spec} (${e.to})`);
}

/** Folder-level cycles: each strongly connected group of more than one unit (Tarjan). */
export function cycles(edges: Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    if (!graph.has(e.to)) graph.set(e.to, new Set());
    graph.get(e.from)!.add(e.to);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do group.push((w = stack.pop()!));
      while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('architecture (ARCHITECTURE.md)', () => {
  const files = sources(ROOT);
  const { edges, toTestSupport } = productionEdges(files);

  it('every folder imports only the layers below it', () => {
    assert.ok(edges.length > 100, `only ${edges.length} cross-folder imports found: the scanner is broken`);
    assert.deepEqual(violations(edges), []);
  });

  it('no cycle between top-level folders', () => {
    assert.deepEqual(cycles(edges), []);
  });

  it('production code never imports tests or test support', () => {
    assert.deepEqual(toTestSupport.map((e) => `${e.file} → ${e.spec}`), []);
  });

  it('the spine knows no consumer: core/events imports nothing from send, webhooks, rules or AI', () => {
    const spine = edges.concat(toTestSupport).filter((e) => e.file.startsWith(`core${sep}events${sep}`));
    const local = files
      .filter((f) => relative(ROOT, f).startsWith(`core${sep}events${sep}`) && !isTestSupport(f))
      .flatMap((f) => importsOf(readFileSync(f, 'utf8')).map((spec) => relative(ROOT, resolve(dirname(f), spec))));
    assert.deepEqual(spine.map((e) => e.spec), [], 'core/events imports only core');
    assert.deepEqual(local.filter((p) => /^core\/(send|webhooks)\//.test(p.split(sep).join('/'))), []);
  });

  it('one ajv factory: production code makes its validators with the kit\'s createAjv', () => {
    const makers = files.filter((f) => !isTestSupport(f) && /\bnew Ajv\s*\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f).split(sep).join('/'));
    assert.deepEqual(makers, ['connectors/kit/ajv.ts']);
  });

  // The checks themselves, on made-up files: each rule must be able to fail.
  it('catches a core file importing the rules runner, a kit → core import and a folder cycle', () => {
    const fake = (rel: string) => join(ROOT, rel);
    const made = {
      [fake('core/messages/x.ts')]: "import { runRulesForEvent } from '../../rules/runner.ts';",
      [fake('connectors/kit/y.ts')]: "import { AppError } from '../../core/errors.ts';",
      [fake('rules/z.ts')]: "export { a } from '../core/a.ts';",
      [fake('core/w.ts')]: "const m = await import('./test-servers.ts');\nimport '../test/harness.ts';",
    };
    const { edges: e, toTestSupport: t } = productionEdges(Object.keys(made), (f) => made[f]!);
    assert.deepEqual(violations(e), [
      `core${sep}messages${sep}x.ts (core) → ../../rules/runner.ts (rules)`,
      `connectors${sep}kit${sep}y.ts (kit) → ../../core/errors.ts (core)`,
    ]);
    assert.deepEqual(cycles(e), [['core', 'rules']]);
    assert.deepEqual(t.map((x) => x.spec).sort(), ['../test/harness.ts', './test-servers.ts']);
  });
});
