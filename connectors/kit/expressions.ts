import jsonata from 'jsonata';
import { kitFunctions } from './functions.ts';

/**
 * JSONata expressions are compiled once and kept: the same manifest expressions run for every
 * webhook, and compiling is far costlier than evaluating. Entries only come from manifests that
 * passed validation, so the cache is bounded by the installed connectors.
 */
const compiled = new Map<string, jsonata.Expression>();

/**
 * Guardrails per evaluation: a connector's expression that loops or recurses without end fails
 * with D1012 / D1011 instead of holding the ingress.
 */
const GUARDRAILS = { timeout: 1000, stack: 500, sequence: 100_000 };

export function compileExpression(source: string): jsonata.Expression {
  let expr = compiled.get(source);
  if (!expr) {
    expr = jsonata(source, GUARDRAILS);
    compiled.set(source, expr);
  }
  return expr;
}

// Codes whose {{value}} is one of our own limits, not data.
const OWN_VALUES = new Set(['D1011', 'D1012', 'D2014', 'D2015']);

/**
 * Describes a JSONata error the way a connector author can act on it. Evaluation errors quote the
 * offending value ("Unable to cast value to a number: \"…\"") and that value is payload data
 * (a message body, a phone number): it is cut out, since these texts reach logs and responses.
 */
export function describeJsonataError(err: unknown, evaluation = false): string {
  const e = err as { message?: string; position?: number; code?: string; value?: unknown; value2?: unknown };
  let message = e.message ?? String(err);
  if (evaluation && !OWN_VALUES.has(e.code ?? '')) {
    for (const v of [e.value, e.value2]) {
      const quoted = v === undefined ? undefined : JSON.stringify(v);
      if (quoted) message = message.split(quoted).join('<value>');
    }
  }
  const where = typeof e.position === 'number' ? ` at character ${e.position}` : '';
  return `${message}${where}`;
}

/** Returns a problem string when `source` does not compile, else undefined. */
export function expressionProblem(source: string, path: string): string | undefined {
  try {
    compileExpression(source);
    return undefined;
  } catch (err) {
    return `${path}: JSONata does not compile: ${describeJsonataError(err)}`;
  }
}

/**
 * JSONata results may be "sequences" (arrays with extra flags) and objects may hold undefined
 * values; the engine wants plain JSON.
 */
export function toPlain(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value));
}

/** The kit's functions ($emailHeaders, $parseJson…) are bound first: a manifest's own bindings win. */
export async function evaluateExpression(source: string, input: unknown, bindings: Record<string, unknown>): Promise<unknown> {
  return compileExpression(source).evaluate(input, { ...kitFunctions, ...bindings });
}
