/**
 * The condition builder's model: rows of field / operator / value joined by "all" or "any", and
 * their json-logic. Pure functions (unit-tested in condition.test.ts) so the builder and the raw
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

export interface BuiltCondition {
  combinator: Combinator;
  rows: ConditionRow[];
}

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

/** The whole condition: `true` for no rows, the row itself for one, else and/or of the rows. */
export function toJsonLogic(built: BuiltCondition, types: FieldTypes): JsonLogic {
  const parts = built.rows.map((r) => rowToLogic(r, types));
  if (parts.length === 0) return true;
  if (parts.length === 1) return parts[0]!;
  return { [built.combinator]: parts };
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

/**
 * json-logic back into rows, or null when it holds something the builder cannot show (nested
 * groups, other operators): such a condition is edited in the raw JSON view only.
 */
export function fromJsonLogic(logic: unknown): BuiltCondition | null {
  if (logic === true || logic === undefined || logic === null) return { combinator: 'and', rows: [] };
  if (isObject(logic) && Object.keys(logic).length === 1) {
    const op = Object.keys(logic)[0]!;
    if ((op === 'and' || op === 'or') && Array.isArray(logic[op])) {
      const rows = (logic[op] as unknown[]).map(logicToRow);
      return rows.every((r): r is ConditionRow => r !== null) ? { combinator: op, rows } : null;
    }
  }
  const row = logicToRow(logic);
  return row ? { combinator: 'and', rows: [row] } : null;
}
