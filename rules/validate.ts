import type { ValidateFunction } from 'ajv';
import { createAjv } from '../connectors/kit/ajv.ts';
import { AppError, type ErrorDetail } from '../core/errors.ts';
import { actionRegistry } from './actions/index.ts';
import { checkCondition } from './condition.ts';

/**
 * Save-time validation of a rule beyond the route's body schema: the condition compiles (known
 * operators, sane regexes) and every action is a known type whose object matches that type's
 * schema. Every problem is reported with its JSON pointer, all at once.
 */
const ajv = createAjv({ useDefaults: false });
const validators = new Map<string, ValidateFunction>([...actionRegistry].map(([type, a]) => [type, ajv.compile(a.schema)]));

/** Trigger vocabulary: our event names, message.received / message.sent, and `<connector>.<type>` external events. */
export const TRIGGER_PATTERN = '^[a-z][a-z0-9_-]*(\\.[A-Za-z0-9_-]+)+$';

export interface RuleDefinition {
  name: string;
  trigger: string;
  condition: unknown;
  actions: { type: string; [k: string]: unknown }[];
  priority: number;
  stopAfter: boolean;
  enabled: boolean;
  description?: string | null;
}

export function checkActions(actions: unknown[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  actions.forEach((action, i) => {
    const at = `/actions/${i}`;
    const type = (action as { type?: unknown })?.type;
    const validate = typeof type === 'string' ? validators.get(type) : undefined;
    if (!validate) {
      problems.push({ field: `${at}/type`, reason: `unknown action type "${String(type)}" (known: ${[...actionRegistry.keys()].join(', ')})` });
      return;
    }
    if (!validate(action)) {
      for (const e of validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
        problems.push({ field: `${at}${e.instancePath}${extra}`, reason: e.keyword === 'additionalProperties' ? 'is not a known property' : (e.message ?? 'is invalid') });
      }
      return;
    }
    for (const p of actionRegistry.get(type as string)!.check?.(action) ?? []) problems.push({ ...p, field: `${at}${p.field}` });
  });
  return problems;
}

/** invoke results are only visible to LATER actions: an `as` used twice would silently overwrite. */
function checkResultNames(actions: RuleDefinition['actions']): ErrorDetail[] {
  const seen = new Set<string>();
  const problems: ErrorDetail[] = [];
  actions.forEach((a, i) => {
    if (typeof a.as !== 'string') return;
    if (seen.has(a.as)) problems.push({ field: `/actions/${i}/as`, reason: `"${a.as}" is already used by an earlier action` });
    seen.add(a.as);
  });
  return problems;
}

export function assertValidRule(rule: RuleDefinition): void {
  const problems = [...checkCondition(rule.condition), ...checkActions(rule.actions)];
  if (!problems.length) problems.push(...checkResultNames(rule.actions));
  if (problems.length) {
    throw new AppError('validation_failed', `Invalid rule: ${problems[0].field} ${problems[0].reason}.`, { details: problems });
  }
}
