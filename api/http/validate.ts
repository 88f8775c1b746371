import type { ErrorObject, ValidateFunction } from 'ajv';
import { AppError } from '../../core/errors.ts';
import { meantBranches } from '../../connectors/kit/index.ts';
import { createAjv } from '../../connectors/kit/ajv.ts';

const BRANCHING = new Set(['oneOf', 'anyOf']);

/**
 * JSON Schema validation for request bodies and query strings. The same schemas generate the
 * OpenAPI document, so the docs cannot drift from what is enforced.
 */
const bodyAjv = createAjv();
const queryAjv = createAjv({ coerceTypes: true });

export type Schema = Record<string, unknown>;

function field(e: ErrorObject): string {
  if (e.keyword === 'required') return `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === 'additionalProperties') return `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`;
  return e.instancePath || '/';
}

function reason(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return 'is not a known field';
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'enum') return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return e.message ?? 'is invalid';
}

function describe(e: ErrorObject): { field: string; reason: string } {
  // Several branches matched (oneOf only): the one error there is to report.
  if (e.keyword === 'oneOf') return { field: e.instancePath || '/', reason: 'matches more than one of its allowed forms' };
  return { field: field(e), reason: reason(e) };
}

export function compile(schema: Schema, kind: 'body' | 'query'): (value: unknown) => void {
  const validate: ValidateFunction = (kind === 'body' ? bodyAjv : queryAjv).compile(schema);
  return (value) => {
    if (validate(value)) return;
    const errors = meantBranches(validate.errors ?? []);
    const all = errors
      // A branching's own error only repeats its branches' (kept above); unless no branch failed.
      .filter((e) => e.keyword !== 'if' && !(BRANCHING.has(e.keyword) && errors.some((x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`))))
      .filter((e) => e.keyword !== 'anyOf')
      .map(describe);
    // Tied branches may repeat one complaint ("/from/nickname is not a known field" per branch).
    const details = all.filter((d, i) => all.findIndex((x) => x.field === d.field && x.reason === d.reason) === i);
    const first = details[0];
    throw new AppError(
      'validation_failed',
      first ? `Invalid ${kind}: ${first.field} ${first.reason}.` : `Invalid ${kind}.`,
      { details },
    );
  };
}
