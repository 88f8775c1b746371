import type { RJSFSchema } from '@rjsf/utils';
import type { FieldProblem } from '../../api/client.ts';
import type { RuleAction, RuleVocabulary } from '../../api/admin-types.ts';
import { errorsAt, SchemaForm } from '../../ui/schema-form.tsx';

type ActionInfo = RuleVocabulary['actions'][number];

/** A name for each branch of a oneOf (the API's schemas give none; rjsf would say "Option 1"). */
function branchTitle(branch: Record<string, any>): string {
  if (branch.title) return branch.title;
  if (Array.isArray(branch.required) && branch.required.length) return `by ${branch.required.join(' and ')}`;
  if (branch.type === 'array') return 'several, in order of preference';
  return 'one';
}

/** The action's schema as a form: its `type` is chosen by the list, not typed in the form; oneOf branches named. */
function formSchema(info: ActionInfo): RJSFSchema {
  const { type: _type, ...rest } = (info.schema.properties ?? {}) as Record<string, Record<string, any>>;
  const properties = Object.fromEntries(
    Object.entries(rest).map(([k, p]) => [k, Array.isArray(p.oneOf) ? { ...p, oneOf: p.oneOf.map((b: Record<string, any>) => ({ ...b, title: branchTitle(b) })) } : p]),
  );
  return { ...info.schema, title: undefined, properties, required: (info.schema.required ?? []).filter((k: string) => k !== 'type') } as RJSFSchema;
}

/**
 * The rule's ordered actions, each a form rendered from its JSON Schema (GET /v1/rules/vocabulary);
 * the server's 400 details for /actions/N show beside the field they name.
 */
export function ActionList({ value, onChange, actions, problems }: { value: RuleAction[]; onChange(actions: RuleAction[]): void; actions: ActionInfo[]; problems: FieldProblem[] }) {
  const set = (i: number, next: RuleAction | null) => onChange(next ? value.map((a, j) => (i === j ? next : a)) : value.filter((_, j) => j !== i));
  return (
    <div className="action-list">
      <ol className="actions">
        {value.map((action, i) => {
          const info = actions.find((a) => a.type === action.type);
          return (
            <li key={i} className="action card">
              <div className="action-head">
                <h3>
                  {i + 1}. <code>{action.type}</code>
                </h3>
                <button type="button" className="btn btn-ghost btn-small" aria-label={`Remove action ${i + 1}`} onClick={() => set(i, null)}>
                  Remove
                </button>
              </div>
              {info ? (
                <>
                  <p className="muted small">{info.description}</p>
                  <SchemaForm<Record<string, unknown>>
                    id={`action${i}`}
                    schema={formSchema(info)}
                    uiSchema={{ body: { 'ui:widget': 'textarea', 'ui:options': { rows: 3 } } }}
                    value={action}
                    onChange={(v) => set(i, { ...v, type: action.type })}
                    errors={errorsAt(problems, `/actions/${i}`)}
                  />
                </>
              ) : (
                <p className="notice notice-warn">Unknown action type; it is kept as it is.</p>
              )}
            </li>
          );
        })}
      </ol>
      <label className="inline-field">
        <span>Add an action</span>
        <select
          value=""
          onChange={(e) => {
            if (e.target.value) onChange([...value, { type: e.target.value }]);
          }}
        >
          <option value="">Choose…</option>
          {actions.map((a) => (
            <option key={a.type} value={a.type}>
              {a.type}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
