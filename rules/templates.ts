/**
 * {{path}} templates over the rule context: `{{contact.name}}`, `{{event.data.technician.name}}`,
 * `{{results.payLink.url}}`, `{{event.data.items.0.sku}}`. A path is looked up, never evaluated:
 * no expressions, no helpers, no code. Nothing is escaped (messages are not HTML). A missing value
 * renders as empty; an object or array renders as JSON. Only own properties are walked, so
 * `{{constructor}}` and friends render empty.
 */
const TAG = /\{\{\s*([A-Za-z0-9_$.-]+)\s*\}\}/g;
const MAX_OUTPUT = 100_000;

export function lookup(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function render(template: string, ctx: unknown): string {
  return template.replace(TAG, (_, path: string) => text(lookup(ctx, path))).slice(0, MAX_OUTPUT);
}

const WHOLE = /^\{\{\s*([A-Za-z0-9_$.-]+)\s*\}\}$/;

/**
 * Renders every string inside a JSON value (an action); keys are left as they are. Inside an
 * action's `input` (connector action arguments), a string that is exactly one {{path}} takes the
 * value's own type, so `"amount": "{{event.data.amount}}"` stays a number for an input schema
 * that wants one. Everywhere else (message bodies…) templates render to text.
 */
export function renderDeep<T>(value: T, ctx: unknown, typed = false): T {
  if (typeof value === 'string') {
    const whole = typed ? WHOLE.exec(value) : null;
    const v = whole ? lookup(ctx, whole[1]!) : undefined;
    if (v !== undefined && v !== null && typeof v !== 'string') return v as T;
    return render(value, ctx) as T;
  }
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, ctx, typed)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, ctx, typed || k === 'input')])) as T;
  }
  return value;
}
