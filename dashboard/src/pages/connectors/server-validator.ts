import type { RJSFSchema, ValidatorType } from '@rjsf/utils';

/**
 * rjsf's validator for install forms under a strict CSP: ajv compiles schemas with `new Function`,
 * which the dashboard's Content-Security-Policy forbids, and a connector installed at run time has
 * schemas no build could precompile. So the form checks nothing itself beyond the browser's own
 * `required`: the server validates with the very same schemas, and its 400 details are shown on
 * the fields (see toErrorSchema).
 */
export const serverValidator: ValidatorType<any, RJSFSchema> = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: () => true,
  rawValidation: () => ({ errors: [] }),
};

/** The API's field problems (`/config/accountSid`, `/secrets/authToken`…) as rjsf extraErrors. */
export function toErrorSchema(problems: { field?: string; reason?: string }[]): Record<string, any> {
  const root: Record<string, any> = {};
  for (const p of problems) {
    const path = (p.field ?? '').split('/').filter(Boolean);
    let node = root;
    for (const key of path) node = node[key] ??= {};
    (node.__errors ??= []).push(p.reason ?? 'is invalid');
  }
  return root;
}
