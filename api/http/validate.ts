import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AppError } from '../../core/errors.ts';

/**
 * JSON Schema validation for request bodies and query strings. The same schemas generate the
 * OpenAPI document, so the docs cannot drift from what is enforced.
 */
const addFormats = (addFormatsModule as any).default ?? addFormatsModule;

const bodyAjv = new Ajv({ allErrors: true, strict: false });
const queryAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
addFormats(bodyAjv);
addFormats(queryAjv);

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

export function compile(schema: Schema, kind: 'body' | 'query'): (value: unknown) => void {
  const validate: ValidateFunction = (kind === 'body' ? bodyAjv : queryAjv).compile(schema);
  return (value) => {
    if (validate(value)) return;
    const details = (validate.errors ?? [])
      // oneOf/anyOf repeat their branches' errors; the branch errors are the useful ones.
      .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if')
      .map((e) => ({ field: field(e), reason: reason(e) }));
    const first = details[0];
    throw new AppError(
      'validation_failed',
      first ? `Invalid ${kind}: ${first.field} ${first.reason}.` : `Invalid ${kind}.`,
      { details },
    );
  };
}
