import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a `default` property; under NodeNext the default import is the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/**
 * One ajv for the kit. strict is off because connector authors' schemas carry UI annotations
 * (title, description, x-secret, …) that the dashboard reads and ajv need not understand.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

export const kitAjv = createAjv();

/** ajv errors as "path: message" lines, prefixed with where the document sits. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return (errors ?? [])
    .filter((e) => e.keyword !== 'if') // "must match then schema" repeats the real error below it
    .map((e) => {
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
          : e.keyword === 'enum'
            ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})`
            : '';
      return `${prefix}${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
    });
}
