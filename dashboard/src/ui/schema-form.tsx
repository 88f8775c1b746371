import Form, { getDefaultRegistry } from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema, ValidatorType, WidgetProps } from '@rjsf/utils';
import type { FieldProblem } from '../api/client.ts';

/**
 * Forms rendered from the API's JSON Schemas (action parameters, org settings, connector config)
 * with @rjsf/core. The page runs under a strict CSP (no 'unsafe-eval'), so rjsf's ajv validator,
 * which compiles schemas with `new Function`, cannot run here. The server validates every write
 * with the same schemas and answers 400 with JSON pointers; `errorsAt` turns those into the
 * form's per-field errors. In the browser rjsf only needs `isValid` to pick the matching branch
 * of a oneOf/anyOf, which `matchesSchema` answers by interpreting the schema (no code generated).
 */
type Schema = Record<string, any> | boolean | undefined;

function resolve(schema: Schema, root: Schema): Schema {
  if (typeof schema !== 'object' || typeof schema.$ref !== 'string' || typeof root !== 'object') return schema;
  const path = schema.$ref.replace(/^#\//, '').split('/');
  return path.reduce<any>((node, key) => node?.[key], root);
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function typeMatches(type: unknown, value: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  const t = typeOf(value);
  return types.some((want) => want === t || (want === 'integer' && Number.isInteger(value)) || (want === 'number' && t === 'number'));
}

/** Structural match: type, const, enum, required, properties, items and the combinators. */
export function matchesSchema(schema: Schema, value: unknown, root: Schema = schema): boolean {
  const s = resolve(schema, root);
  if (s === undefined || s === true) return true;
  if (s === false) return false;
  if ('const' in s && !equal(s.const, value)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((e: unknown) => equal(e, value))) return false;
  if (s.type !== undefined && !typeMatches(s.type, value)) return false;
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    if (Array.isArray(s.required) && !s.required.every((k: string) => obj[k] !== undefined)) return false;
    for (const [k, v] of Object.entries(obj)) {
      const prop = s.properties?.[k];
      if (prop !== undefined && !matchesSchema(prop, v, root)) return false;
      if (prop === undefined && s.additionalProperties === false) return false;
    }
  }
  if (Array.isArray(value) && s.items && typeof s.items === 'object' && !value.every((v) => matchesSchema(s.items, v, root))) return false;
  if (Array.isArray(s.allOf) && !s.allOf.every((sub: Schema) => matchesSchema(sub, value, root))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub: Schema) => matchesSchema(sub, value, root))) return false;
  if (Array.isArray(s.oneOf) && s.oneOf.filter((sub: Schema) => matchesSchema(sub, value, root)).length !== 1) return false;
  return true;
}

export const serverValidatedForms: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: (schema, formData, rootSchema) => matchesSchema(schema as Schema, formData, rootSchema as Schema),
  rawValidation: () => ({ errors: [] }),
};

/**
 * The API's 400 details under `prefix` (e.g. "/actions/0") as an rjsf error schema, so each
 * reason shows beside its field; a reason for the whole object lands on the form itself.
 */
export function errorsAt(fields: FieldProblem[], prefix: string): ErrorSchema | undefined {
  const out: Record<string, any> = {};
  let any = false;
  for (const f of fields) {
    if (!f.field || !(f.field === prefix || f.field.startsWith(prefix + '/'))) continue;
    const path = f.field.slice(prefix.length).split('/').filter(Boolean);
    let node = out;
    for (const key of path) node = node[key] ??= {};
    (node.__errors ??= []).push(f.reason ?? 'is not valid');
    any = true;
  }
  return any ? (out as ErrorSchema) : undefined;
}

const DefaultSelect = getDefaultRegistry().widgets.SelectWidget;

/** rjsf's chooser between the branches of a oneOf/anyOf has no label of its own: give it a visible one. */
function SelectWidget(props: WidgetProps) {
  if (!/__(one|any)of_select$/.test(props.id)) return <DefaultSelect {...props} />;
  return (
    <div className="branch-select">
      <label htmlFor={props.id} className="control-label">
        {props.label} as
      </label>
      <DefaultSelect {...props} />
    </div>
  );
}

export function SchemaForm<T>({
  id,
  schema,
  uiSchema,
  value,
  onChange,
  errors,
  disabled,
}: {
  /** Unique on the page: every field's id starts with it. */
  id: string;
  schema: RJSFSchema;
  uiSchema?: UiSchema;
  value: T;
  onChange(value: T): void;
  errors?: ErrorSchema;
  disabled?: boolean;
}) {
  return (
    <Form
      className="schema-form"
      idPrefix={id}
      schema={schema}
      uiSchema={{ 'ui:submitButtonOptions': { norender: true }, ...uiSchema }}
      formData={value}
      validator={serverValidatedForms}
      widgets={{ SelectWidget }}
      extraErrors={errors}
      showErrorList={false}
      noHtml5Validate
      disabled={disabled}
      onChange={(e) => onChange(e.formData as T)}
      tagName="div"
    />
  );
}
