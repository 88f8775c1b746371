import type { ErrorDetail } from '../core/errors.ts';
import { ALLOWED_OPERATIONS, REGEX_MAX_LENGTH, safeRegex } from './operators.ts';

/**
 * Save-time check of a json-logic condition: every operation is one we allow, and literal regex
 * patterns compile under our limits. An object with one key is an operation (json-logic's rule);
 * anything else is data. Reasons carry the JSON pointer of the offending node.
 */
export function checkCondition(condition: unknown, field = '/condition'): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  walk(condition, field, problems, 0);
  return problems;
}

const MAX_DEPTH = 32;

function walk(node: unknown, at: string, problems: ErrorDetail[], depth: number): void {
  if (depth > MAX_DEPTH) {
    problems.push({ field: at, reason: `nests deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, `${at}/${i}`, problems, depth + 1));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    problems.push({ field: at, reason: 'an operation is an object with exactly one key (the operator)' });
    return;
  }
  const op = keys[0];
  const opAt = `${at}/${op.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  if (!ALLOWED_OPERATIONS.has(op)) {
    problems.push({ field: opAt, reason: `unknown operator "${op}"` });
    return;
  }
  const args = (node as Record<string, unknown>)[op];
  if (op === 'matches' && Array.isArray(args) && typeof args[1] === 'string') {
    const flags = args[2] ?? '';
    if (typeof flags === 'string' || flags === null) {
      if (args[1].length > REGEX_MAX_LENGTH) problems.push({ field: `${opAt}/1`, reason: `regex longer than ${REGEX_MAX_LENGTH} characters` });
      else if (!safeRegex(args[1], flags)) problems.push({ field: `${opAt}/1`, reason: 'regex does not compile with the allowed flags (i, m, s, u)' });
    }
  }
  walk(args, opAt, problems, depth + 1);
}
