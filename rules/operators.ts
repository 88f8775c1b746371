import jsonLogic from 'json-logic-js';
import { inRange, WEEKDAYS } from './hours.ts';
import type { RuleContext } from './context.ts';

/**
 * The ONE place json-logic operations are registered (json-logic-js keeps them in a process-wide
 * table). Custom operators receive their arguments already evaluated, so the ones about the
 * rule's situation (hours, handles) read the context of the evaluation running right now:
 * json-logic-js evaluates synchronously, so `current` cannot be another rule's.
 *
 * Pitfalls of plain json-logic-js guarded here (PROVIDERS.md): comparisons with null/undefined
 * are false instead of treating null as 0 (`{"<":[null,2]}` would be true), `in` on null is
 * false instead of throwing. `[]` stays falsy (json-logic's rule): test `{"!!":[…]}` knowingly.
 */
let current: RuleContext | null = null;

export const REGEX_MAX_LENGTH = 200;
const SUBJECT_MAX_LENGTH = 10_000;
/** i (case), m (multiline), s (dotAll), u (unicode): no g/y, whose lastIndex state leaks between calls. */
export const SAFE_FLAGS = /^[imsu]*$/;

const nullish = (v: unknown) => v === null || v === undefined;

function compare(op: (a: never, b: never) => boolean) {
  return (...args: unknown[]) => {
    const values = args.length === 3 ? args : args.slice(0, 2);
    if (values.some(nullish)) return false;
    for (let i = 0; i + 1 < values.length; i++) if (!op(values[i] as never, values[i + 1] as never)) return false;
    return true;
  };
}

/** Compiles a regex under the length cap and safe flags; null when refused. */
export function safeRegex(pattern: unknown, flags: unknown = ''): RegExp | null {
  if (typeof pattern !== 'string' || pattern.length > REGEX_MAX_LENGTH) return null;
  const f = flags ?? '';
  if (typeof f !== 'string' || !SAFE_FLAGS.test(f)) return null;
  try {
    return new RegExp(pattern, f);
  } catch {
    return null;
  }
}

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(Boolean);

const custom: Record<string, (...args: any[]) => unknown> = {
  '<': compare((a, b) => a < b),
  '<=': compare((a, b) => a <= b),
  '>': compare((a, b) => a > b),
  '>=': compare((a, b) => a >= b),
  in: (needle: unknown, haystack: unknown) => {
    if (nullish(needle) || nullish(haystack)) return false;
    if (typeof haystack === 'string') return haystack.includes(String(needle));
    return Array.isArray(haystack) && haystack.includes(needle);
  },
  /** {"matches": [text, pattern, flags?]}: regex test; a refused pattern or a non-string text is false. */
  matches: (text: unknown, pattern: unknown, flags?: unknown) => {
    if (typeof text !== 'string') return false;
    const re = safeRegex(pattern, flags);
    return !!re && re.test(text.slice(0, SUBJECT_MAX_LENGTH));
  },
  /** {"contains_any_word": [text, ["stop", "cancel"]]}: whole words, case-insensitive. */
  contains_any_word: (text: unknown, list: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(list)) return false;
    const have = new Set(words(text));
    return list.some((w) => typeof w === 'string' && words(w).length > 0 && words(w).every((x) => have.has(x)));
  },
  /** {"within_business_hours": []}: now, in the org's zone, within settings.rules.businessHours. */
  within_business_hours: () => {
    if (!current) return false;
    const { orgLocal } = current.time;
    const hours = current.org.businessHours;
    return hours.days.includes(orgLocal.weekday) && inRange(orgLocal, hours.start, hours.end);
  },
  /** {"in_quiet_hours": []}: now, in the contact's zone (else the org's), outside the org's sending window (quietHours setting). */
  in_quiet_hours: () => {
    if (!current) return false;
    const w = current.org.sendingWindow;
    return !inRange(current.time.contactLocal ?? current.time.orgLocal, w.start, w.end);
  },
  /** {"has_handle": ["phone"]}: the context contact has a handle of that kind. */
  has_handle: (kind: unknown) => !!current?.contact?.handles.some((h) => h.kind === kind),
};

for (const [name, fn] of Object.entries(custom)) jsonLogic.add_operation(name, fn);

/** The operations a rule may use: json-logic's own minus `method` (calls any JS method) and `log`, plus ours. */
export const ALLOWED_OPERATIONS = new Set([
  ...['==', '===', '!=', '!==', '!!', '!', '%', 'cat', 'substr', '+', '*', '-', '/', 'min', 'max', 'merge'],
  ...['var', 'missing', 'missing_some', 'if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some'],
  ...Object.keys(custom),
]);

export const CUSTOM_OPERATIONS = Object.keys(custom).filter((k) => !['<', '<=', '>', '>=', 'in'].includes(k));

/** Evaluates a (validated) condition against a context built for rules; true/false by json-logic truthiness. */
export function evaluate(condition: unknown, ctx: RuleContext): { result: unknown; matched: boolean } {
  current = ctx;
  try {
    const result = jsonLogic.apply(condition as jsonLogic.RulesLogic, ctx as unknown as Record<string, unknown>);
    return { result, matched: jsonLogic.truthy(result) };
  } finally {
    current = null;
  }
}

export { WEEKDAYS };
