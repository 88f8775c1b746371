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

const BRANCHING = new Set(['oneOf', 'anyOf']);
/** Errors that say the value has another shape than the branch (not a bad value inside the right shape). */
const SHAPE = new Set(['required', 'additionalProperties', 'type', 'const']);

/**
 * A failed oneOf/anyOf reports every branch's errors, which contradict each other ("handle is
 * required", "contactId is not a known field", "contactId must be a uuid"). Only the branch the
 * caller clearly meant is kept: the one whose shape the value has (fewest errors about missing,
 * unknown or mistyped fields at the branch's own level), then the one with the fewest errors.
 * Inner branchings are decided first, so an outer branch is judged by its meant inner form only.
 */
function meantBranches(errors: ErrorObject[]): ErrorObject[] {
  let kept = errors;
  const branchings = errors.filter((e) => BRANCHING.has(e.keyword)).sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const b of branchings) {
    const prefix = `${b.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    if (byBranch.size < 2) continue;
    const score = (errs: ErrorObject[]) => [errs.filter((e) => e.instancePath === b.instancePath && SHAPE.has(e.keyword)).length, errs.length];
    const [meant] = [...byBranch.entries()].sort(([, x], [, y]) => {
      const [sx, nx] = score(x);
      const [sy, ny] = score(y);
      return sx - sy || nx - ny;
    })[0]!;
    kept = kept.filter((e) => !e.schemaPath.startsWith(prefix) || e.schemaPath.startsWith(`${prefix}${meant}/`));
  }
  return kept;
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
    const details = errors
      // A branching's own error only repeats its branches' (kept above); unless no branch failed.
      .filter((e) => e.keyword !== 'if' && !(BRANCHING.has(e.keyword) && errors.some((x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`))))
      .filter((e) => e.keyword !== 'anyOf')
      .map(describe);
    const first = details[0];
    throw new AppError(
      'validation_failed',
      first ? `Invalid ${kind}: ${first.field} ${first.reason}.` : `Invalid ${kind}.`,
      { details },
    );
  };
}
