import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a `default` property; under NodeNext the default import is the module object.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/**
 * The one way the project makes an ajv (the kit, API bodies and queries, org settings, rules, AI):
 * every error at once, the standard formats (uuid, email, uri, date-time…), and strict off because
 * schemas carry UI annotations (title, description, x-secret, …) that the dashboard reads and ajv
 * need not understand. `options` adds what one use needs (useDefaults, coerceTypes).
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

export const kitAjv = createAjv();

const BRANCHING = new Set(['oneOf', 'anyOf']);
/** Errors that say the value has another shape than the branch (not a bad value inside the right shape). */
const SHAPE = new Set(['required', 'additionalProperties', 'type', 'const']);

/**
 * A failed oneOf/anyOf reports every branch's errors, which contradict each other ("handle is
 * required", "contactId is not a known field", "contactId must be a uuid"). When one branch is
 * clearly the one the value meant — the only one whose shape it has (no missing, unknown or
 * mistyped field at the branch's own level; only bad values inside) — only its errors are kept;
 * otherwise (an "either A or B" with neither given) all of them stay, as each is a way out. Inner branchings are decided first, so an outer branch is judged by its meant
 * inner form only. The branching's own error stays: callers drop it when it only repeats.
 */
export function meantBranches(errors: ErrorObject[]): ErrorObject[] {
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
    const shaped = [...byBranch.entries()].filter(([, errs]) => !errs.some((e) => e.instancePath === b.instancePath && SHAPE.has(e.keyword)));
    if (shaped.length !== 1) continue;
    const meant = shaped[0]![0];
    kept = kept.filter((e) => !e.schemaPath.startsWith(prefix) || e.schemaPath.startsWith(`${prefix}${meant}/`));
  }
  return kept;
}

/** ajv errors as "path: message" lines, prefixed with where the document sits. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return meantBranches(errors ?? [])
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
