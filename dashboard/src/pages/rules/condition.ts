/**
 * The condition builder's model: rows of field / operator / value and nested groups, each group
 * joined by "all" or "any", and their json-logic. Pure functions (unit-tested in condition.test.ts) so the builder and the raw
 * JSON view stay two views of one condition.
 *
 * json-logic pitfalls the builder avoids (shared/PROVIDERS.md, rules/README.md):
 * - values typed by the field: a number field compares with a number ("5" > "10" as text);
 * - "contains text" is `{"in": [needle, field]}` (needle first), which the server guards for null;
 * - `[]` is falsy, so "is present" on a list field is `!!` of the list (an empty list is absent);
 * - no rows means no condition at all (`true`), never `{"and": []}`.
 */
export type JsonLogic = boolean | { [op: string]: unknown };
export type Combinator = 'and' | 'or';

export interface ConditionRow {
  field: string;
  op: string;
  /** As typed; typed by the field when turned into json-logic. Comma-separated for `values` operators. */
  value: string;
}

/** A group: its rows and nested groups, joined by and/or. The whole condition is the top group. */
export interface BuiltCondition {
  combinator: Combinator;
  rows: ConditionItem[];
}

export type ConditionItem = ConditionRow | BuiltCondition;
export const isGroup = (item: ConditionItem): item is BuiltCondition => 'combinator' in item;
/** How deep groups may nest in the builder (deeper json-logic is edited in the raw view). */
export const MAX_DEPTH = 3;

export interface BuilderOperator {
  op: string;
  label: string;
  takes: 'none' | 'value' | 'values' | 'pattern';
}

/** What the builder needs to know of a field: its type decides how a typed value is read. */
export type FieldTypes = Record<string, string>;

const COMPARISONS = new Set(['==', '!=', '>', '>=', '<', '<=']);

function typedValue(raw: string, type: string | undefined): unknown {
  const v = raw.trim();
  if (type === 'number') {
    const n = Number(v);
    return v !== '' && Number.isFinite(n) ? n : v;
  }
  if (type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
  return raw;
}

const words = (raw: string) =>
  raw
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);

/** One row as json-logic. Throws with a message naming the row's problem (shown beside the row). */
export function rowToLogic(row: ConditionRow, types: FieldTypes): JsonLogic {
  if (!row.field) throw new Error('Pick a field.');
  const field = { var: row.field };
  const type = types[row.field];
  switch (row.op) {
    case '!!':
    case '!':
      return { [row.op]: [field] };
    case 'in':
      if (row.value === '') throw new Error('Type the text to look for.');
      return { in: [row.value, field] };
    case 'contains_any_word': {
      const list = words(row.value);
      if (!list.length) throw new Error('Type one or more words, separated by commas.');
      return { contains_any_word: [field, list] };
    }
    case 'matches':
      if (row.value === '') throw new Error('Type a pattern.');
      return { matches: [field, row.value, 'i'] };
    default:
      if (!COMPARISONS.has(row.op)) throw new Error(`Unknown operator ${row.op}.`);
      return { [row.op]: [field, typedValue(row.value, type)] };
  }
}

/**
 * A group: `true` for no items, the item itself for one, else and/or of the items. An empty
 * nested group adds nothing (it is left out rather than written as `true`).
 */
export function toJsonLogic(built: BuiltCondition, types: FieldTypes): JsonLogic {
  const parts = built.rows.map((r) => (isGroup(r) ? toJsonLogic(r, types) : rowToLogic(r, types))).filter((p) => p !== true);
  if (parts.length === 0) return true;
  if (parts.length === 1) return parts[0]!;
  return { [built.combinator]: parts };
}

/** Every row's problem (null when fine), keyed by its position: "1", "2.1" … (the labels the builder shows). */
export function rowProblems(built: BuiltCondition, types: FieldTypes, prefix = ''): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  built.rows.forEach((r, i) => {
    const key = `${prefix}${i + 1}`;
    if (isGroup(r)) Object.assign(out, rowProblems(r, types, `${key}.`));
    else {
      try {
        rowToLogic(r, types);
        out[key] = null;
      } catch (err) {
        out[key] = (err as Error).message;
      }
    }
  });
  return out;
}

/** The group without the rows that have a problem (what is written while the admin is still typing). */
export function withoutProblems(built: BuiltCondition, problems: Record<string, string | null>, prefix = ''): BuiltCondition {
  const rows: ConditionItem[] = [];
  built.rows.forEach((r, i) => {
    const key = `${prefix}${i + 1}`;
    if (isGroup(r)) rows.push(withoutProblems(r, problems, `${key}.`));
    else if (!problems[key]) rows.push(r);
  });
  return { ...built, rows };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const varName = (v: unknown): string | null => (isObject(v) && Object.keys(v).length === 1 && typeof v.var === 'string' ? v.var : null);
const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** One json-logic comparison as a row, or null when the builder cannot show it. */
export function logicToRow(logic: unknown): ConditionRow | null {
  if (!isObject(logic) || Object.keys(logic).length !== 1) return null;
  const op = Object.keys(logic)[0]!;
  const args = logic[op];
  if (!Array.isArray(args)) return null;
  if ((op === '!!' || op === '!') && args.length === 1) {
    const field = varName(args[0]);
    return field ? { field, op, value: '' } : null;
  }
  if (op === 'in' && args.length === 2 && typeof args[0] === 'string') {
    const field = varName(args[1]);
    return field ? { field, op, value: args[0] } : null;
  }
  if (op === 'contains_any_word' && args.length === 2 && Array.isArray(args[1]) && args[1].every((w) => typeof w === 'string')) {
    const field = varName(args[0]);
    return field ? { field, op, value: (args[1] as string[]).join(', ') } : null;
  }
  if (op === 'matches' && args.length === 3 && args[2] === 'i' && typeof args[1] === 'string') {
    const field = varName(args[0]);
    return field ? { field, op, value: args[1] } : null;
  }
  if (COMPARISONS.has(op) && args.length === 2 && ['string', 'number', 'boolean'].includes(typeof args[1])) {
    const field = varName(args[0]);
    return field ? { field, op, value: shown(args[1]) } : null;
  }
  return null;
}

/** An and/or of rows and groups, or null when an item is something the builder cannot show. */
function groupOf(logic: unknown, depth: number): BuiltCondition | null {
  if (!isObject(logic) || Object.keys(logic).length !== 1) return null;
  const op = Object.keys(logic)[0]!;
  if ((op !== 'and' && op !== 'or') || !Array.isArray(logic[op])) return null;
  const rows: ConditionItem[] = [];
  for (const item of logic[op] as unknown[]) {
    const parsed = depth < MAX_DEPTH ? (groupOf(item, depth + 1) ?? logicToRow(item)) : logicToRow(item);
    if (!parsed) return null;
    rows.push(parsed);
  }
  return { combinator: op, rows };
}

/**
 * json-logic back into rows and groups, or null when it holds something the builder cannot show
 * (other operators, groups deeper than MAX_DEPTH): such a condition is edited in the raw JSON view only.
 */
export function fromJsonLogic(logic: unknown): BuiltCondition | null {
  if (logic === true || logic === undefined || logic === null) return { combinator: 'and', rows: [] };
  const group = groupOf(logic, 1);
  if (group) return group;
  const row = logicToRow(logic);
  return row ? { combinator: 'and', rows: [row] } : null;
}

/**
 * The `event.data.*` fields of an event as builder fields, read off a real event of the trigger's
 * type (external events, `<connector>.<type>`, carry the connector's mapped data, whose shape only
 * the feed knows). Nested objects are walked; lists are offered whole (for "is present").
 */
export function eventDataFields(data: unknown, prefix = 'event.data', depth = 0): { path: string; type: string }[] {
  if (!isObject(data) || depth > 4) return [];
  const out: { path: string; type: string }[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (!/^[A-Za-z0-9_$-]+$/.test(k)) continue; // a key with dots could not be named by a var path
    const path = `${prefix}.${k}`;
    if (isObject(v)) out.push(...eventDataFields(v, path, depth + 1));
    else out.push({ path, type: Array.isArray(v) ? 'array' : v === null ? 'string|null' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string' });
  }
  return out;
}
