import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

/**
 * Renders the chart without `helm`, which this project's machines do not have, so CI can validate
 * the manifests offline. It implements the subset of Helm's template language the chart uses —
 * `{{ .Values.x }}`, `.Release.*`, `.Chart.*`, `$` for the root, `range` over a list, pipelines with quote / default / toYaml / nindent /
 * indent / b64enc / required, `if` / `else` / `end` with not / and / or / eq, `define` + `include`,
 * and `{{-`/`-}}` trimming — and throws on anything else, so the chart cannot quietly grow a
 * construct this renderer would get wrong. `helm lint` / `helm template` belong in an external CI.
 *
 *   node --import tsx deploy/helm/render.ts [--set key.path=value ...] > manifests.yaml
 */
type Ctx = { Values: Record<string, unknown>; Release: { Name: string; Namespace: string; Service: string }; Chart: Record<string, unknown> };
type Node =
  | { t: 'text'; v: string }
  | { t: 'expr'; v: string }
  | { t: 'if'; cond: string; then: Node[]; else: Node[] }
  | { t: 'range'; list: string; body: Node[] };
/** `.` is the current value (the root, or a `range` item); `$` is always the root. */
type Scope = { dot: unknown; root: Ctx };

const CHART_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'switchboard');

function tokenize(src: string): { t: 'text' | 'action'; v: string }[] {
  const out: { t: 'text' | 'action'; v: string }[] = [];
  const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    out.push({ t: 'text', v: text });
    if (!m[2].startsWith('/*')) out.push({ t: 'action', v: m[2] });
    trimNext = !!m[3];
    last = re.lastIndex;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  out.push({ t: 'text', v: tail });
  return out;
}

/** Parses tokens into a tree; `define` blocks go into `defines`. */
function parse(src: string, defines: Map<string, Node[]>): Node[] {
  const root: Node[] = [];
  const stack: { nodes: Node[]; node?: Extract<Node, { t: 'if' }> }[] = [{ nodes: root }];
  for (const tok of tokenize(src)) {
    const top = stack[stack.length - 1];
    if (tok.t === 'text') {
      if (tok.v) top.nodes.push({ t: 'text', v: tok.v });
      continue;
    }
    const [kw, ...rest] = tok.v.split(/\s+/);
    if (kw === 'if') {
      const node: Extract<Node, { t: 'if' }> = { t: 'if', cond: rest.join(' '), then: [], else: [] };
      top.nodes.push(node);
      stack.push({ nodes: node.then, node });
    } else if (kw === 'range') {
      const node: Node = { t: 'range', list: rest.join(' '), body: [] };
      top.nodes.push(node);
      stack.push({ nodes: node.body });
    } else if (kw === 'else') {
      if (!top.node) throw new Error('else outside if');
      top.nodes = top.node.else;
    } else if (kw === 'define') {
      const body: Node[] = [];
      const name = JSON.parse(rest.join(' '));
      defines.set(name, body);
      stack.push({ nodes: body });
    } else if (kw === 'end') {
      if (stack.length === 1) throw new Error('end without a block');
      stack.pop();
    } else if (/^(with|template|block|tpl)$/.test(kw)) {
      throw new Error(`render.ts does not implement "${kw}"; keep the chart to the documented subset`);
    } else {
      top.nodes.push({ t: 'expr', v: tok.v });
    }
  }
  if (stack.length !== 1) throw new Error('unclosed block');
  return root;
}

function splitArgs(s: string): string[] {
  return s.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function lookup(scope: Scope, p: string): unknown {
  const base = p.startsWith('$') ? scope.root : scope.dot;
  return p.replace(/^\$/, '').split('.').filter(Boolean).reduce<any>((o, k) => (o == null ? undefined : o[k]), base);
}

const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && !v.length) || (typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.keys(v).length));

function evaluate(expr: string, scope: Scope, defines: Map<string, Node[]>): unknown {
  const indent = (n: number, s: string) => String(s).split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
  const fns: Record<string, (...a: any[]) => unknown> = {
    quote: (v) => JSON.stringify(v == null ? '' : String(v)),
    default: (d, v) => (truthy(v) ? v : d),
    toYaml: (v) => YAML.stringify(v).replace(/\n$/, ''),
    nindent: (n, s) => '\n' + indent(n, s),
    indent: (n, s) => indent(n, s),
    b64enc: (s) => Buffer.from(String(s)).toString('base64'),
    required: (msg, v) => {
      if (!truthy(v)) throw new Error(msg);
      return v;
    },
    not: (v) => !truthy(v),
    and: (...a) => a.every(truthy),
    or: (...a) => a.find(truthy) ?? a[a.length - 1],
    eq: (a, b) => a === b,
    include: (name, c) => {
      const body = defines.get(name);
      if (!body) throw new Error(`include: no template "${name}"`);
      return run(body, { dot: c, root: scope.root }, defines).trim();
    },
  };
  const value = (tok: string): unknown => {
    if (tok.startsWith('"')) return JSON.parse(tok);
    if (/^-?\d+(\.\d+)?$/.test(tok)) return Number(tok);
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok.startsWith('.') || tok.startsWith('$')) return lookup(scope, tok);
    throw new Error(`render.ts: cannot evaluate "${tok}" in {{ ${expr} }}`);
  };
  let piped: unknown;
  const stages = expr.split(/\|(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => s.trim());
  stages.forEach((stage, i) => {
    const [head, ...args] = splitArgs(stage);
    if (fns[head]) {
      const vals = args.map(value);
      piped = fns[head](...(i > 0 ? [...vals, piped] : vals));
    } else if (i === 0 && !args.length) {
      piped = value(head);
    } else {
      throw new Error(`render.ts: unknown function "${head}" in {{ ${expr} }}`);
    }
  });
  return piped;
}

function run(nodes: Node[], scope: Scope, defines: Map<string, Node[]>): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.v;
    else if (n.t === 'expr') {
      const v = evaluate(n.v, scope, defines);
      out += v == null ? '' : typeof v === 'object' ? YAML.stringify(v) : String(v);
    } else if (n.t === 'range') {
      const list = evaluate(n.list, scope, defines);
      if (list != null && !Array.isArray(list)) throw new Error(`range over a non-list: ${n.list}`);
      for (const item of list ?? []) out += run(n.body, { dot: item, root: scope.root }, defines);
    } else out += run(truthy(evaluate(n.cond, scope, defines)) ? n.then : n.else, scope, defines);
  }
  return out;
}

function setPath(obj: Record<string, any>, dotted: string, raw: string) {
  const keys = dotted.split('.');
  const last = keys.pop()!;
  const target = keys.reduce((o, k) => (o[k] ??= {}), obj);
  target[last] = raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw;
}

/** Renders every template with the chart's values overlaid by `overrides` (dotted paths). */
export function renderChart(overrides: Record<string, string> = {}, release = { Name: 'switchboard', Namespace: 'default', Service: 'Helm' }): { file: string; objects: any[] }[] {
  const Values = YAML.parse(fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
  for (const [k, v] of Object.entries(overrides)) setPath(Values, k, v);
  const ctx: Ctx = { Values, Release: release, Chart: YAML.parse(fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')) };
  const dir = path.join(CHART_DIR, 'templates');
  const defines = new Map<string, Node[]>();
  const files = fs.readdirSync(dir).sort();
  const trees = files.map((f) => [f, parse(fs.readFileSync(path.join(dir, f), 'utf8'), defines)] as const);
  return trees
    .filter(([f]) => f.endsWith('.yaml'))
    .map(([file, tree]) => ({ file, objects: YAML.parseAllDocuments(run(tree, { dot: ctx, root: ctx }, defines)).map((d) => d.toJS()).filter(Boolean) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const overrides: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--set') throw new Error(`unknown argument ${argv[i]} (use --set key.path=value)`);
    const [k, ...v] = argv[++i].split('=');
    overrides[k] = v.join('=');
  }
  for (const { file, objects } of renderChart(overrides)) {
    for (const o of objects) process.stdout.write(`---\n# Source: switchboard/templates/${file}\n${YAML.stringify(o)}`);
  }
}
