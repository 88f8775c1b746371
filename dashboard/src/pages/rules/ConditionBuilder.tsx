import { useState } from 'react';
import type { RuleVocabulary } from '../../api/admin-types.ts';
import { MAX_DEPTH, fromJsonLogic, isGroup, rowProblems, toJsonLogic, withoutProblems, type BuiltCondition, type ConditionItem, type ConditionRow, type FieldTypes, type JsonLogic } from './condition.ts';

type Field = Pick<RuleVocabulary['fields'][number], 'path' | 'type'> & Partial<Pick<RuleVocabulary['fields'][number], 'description' | 'enum'>>;

/**
 * The condition as rows (field, operator, value) and nested groups, each joined by all/any, and
 * the same condition as json-logic in a raw view; editing either updates the other. json-logic
 * the builder cannot show (other operators, deeper nesting) is kept and edited in the raw view
 * only. `value` is read once: the editor mounts the builder when the rule has loaded.
 */
export function ConditionBuilder({
  value,
  onChange,
  fields,
  operators,
}: {
  value: JsonLogic;
  onChange(logic: JsonLogic, problem: string | null): void;
  fields: Field[];
  operators: RuleVocabulary['operators'];
}) {
  const types: FieldTypes = Object.fromEntries(fields.map((f) => [f.path, f.type]));
  const [built, setBuilt] = useState<BuiltCondition | null>(() => fromJsonLogic(value));
  const [raw, setRaw] = useState(() => JSON.stringify(value, null, 2));
  const [rawProblem, setRawProblem] = useState<string | null>(null);
  const [problems, setProblems] = useState<Record<string, string | null>>({});

  const fromRows = (next: BuiltCondition) => {
    setBuilt(next);
    const found = rowProblems(next, types);
    setProblems(found);
    const firstProblem = Object.values(found).find(Boolean) ?? null;
    const logic = toJsonLogic(withoutProblems(next, found), types);
    setRaw(JSON.stringify(logic, null, 2));
    setRawProblem(null);
    onChange(logic, firstProblem);
  };

  const fromRaw = (text: string) => {
    setRaw(text);
    let logic: JsonLogic;
    try {
      logic = text.trim() === '' ? true : JSON.parse(text);
    } catch (err) {
      setRawProblem(`Not JSON: ${(err as Error).message}`);
      onChange(value, 'The raw condition is not JSON.');
      return;
    }
    setRawProblem(null);
    setBuilt(fromJsonLogic(logic));
    setProblems({});
    onChange(logic, null);
  };

  const firstField = fields.find((f) => f.path === 'message.body') ?? fields[0];
  const newRow = (): ConditionRow => ({ field: firstField?.path ?? '', op: firstField?.type === 'string' ? 'contains_any_word' : '==', value: '' });

  return (
    <div className="condition">
      {built ? (
        <fieldset className="builder">
          <legend>Condition</legend>
          {built.rows.length === 0 && <p className="muted small">No condition: the rule runs on every event of its trigger.</p>}
          <GroupEditor group={built} prefix="" depth={1} onChange={fromRows} fields={fields} operators={operators} problems={problems} newRow={newRow} />
        </fieldset>
      ) : (
        <div className="notice notice-info">
          <p>This condition uses json-logic the builder cannot show (other operators, or groups nested deeper than {MAX_DEPTH}); edit it as JSON below.</p>
          <button type="button" className="btn btn-small" onClick={() => fromRows({ combinator: 'and', rows: [] })}>
            Start over in the builder
          </button>
        </div>
      )}
      <label className="field">
        <span>Condition as json-logic</span>
        <textarea className="mono" rows={Math.min(14, raw.split('\n').length + 1)} value={raw} spellCheck={false} onChange={(e) => fromRaw(e.target.value)} aria-invalid={rawProblem ? true : undefined} />
      </label>
      {rawProblem && <p className="row-problem">{rawProblem}</p>}
    </div>
  );
}

/**
 * One group: its all/any, its rows and nested groups. Rows are labelled by position ("Condition 1",
 * "Condition 2.1" for the first row of group 2) so each control has a name of its own.
 */
function GroupEditor({
  group,
  prefix,
  depth,
  onChange,
  fields,
  operators,
  problems,
  newRow,
}: {
  group: BuiltCondition;
  prefix: string;
  depth: number;
  onChange(next: BuiltCondition): void;
  fields: Field[];
  operators: RuleVocabulary['operators'];
  problems: Record<string, string | null>;
  newRow(): ConditionRow;
}) {
  const name = prefix ? `group ${prefix.slice(0, -1)}` : 'the condition';
  const setItem = (i: number, item: ConditionItem) => onChange({ ...group, rows: group.rows.map((r, j) => (i === j ? item : r)) });
  const remove = (i: number) => onChange({ ...group, rows: group.rows.filter((_, j) => j !== i) });
  return (
    <>
      {group.rows.length > 0 && (
        <label className="inline-field">
          <span>Match</span>
          <select aria-label={prefix ? `Group ${prefix.slice(0, -1)} match` : 'Match'} value={group.combinator} onChange={(e) => onChange({ ...group, combinator: e.target.value as 'and' | 'or' })}>
            <option value="and">all of these</option>
            <option value="or">any of these</option>
          </select>
        </label>
      )}
      <ol className="builder-rows">
        {group.rows.map((item, i) => {
          const key = `${prefix}${i + 1}`;
          if (isGroup(item)) {
            return (
              <li key={i} className="builder-group" aria-label={`Group ${key}`}>
                <GroupEditor group={item} prefix={`${key}.`} depth={depth + 1} onChange={(g) => setItem(i, g)} fields={fields} operators={operators} problems={problems} newRow={newRow} />
                <button type="button" className="btn btn-ghost btn-small" onClick={() => remove(i)}>
                  Remove group {key}
                </button>
              </li>
            );
          }
          return <RowEditor key={i} row={item} label={key} onChange={(r) => setItem(i, r)} onRemove={() => remove(i)} fields={fields} operators={operators} problem={problems[key] ?? null} />;
        })}
      </ol>
      <div className="builder-add">
        <button type="button" className="btn btn-small" aria-label={prefix ? `Add condition to ${name}` : 'Add condition'} onClick={() => onChange({ ...group, rows: [...group.rows, newRow()] })}>
          Add condition
        </button>
        {depth < MAX_DEPTH && (
          <button type="button" className="btn btn-small" aria-label={prefix ? `Add group to ${name}` : 'Add group'} onClick={() => onChange({ ...group, rows: [...group.rows, { combinator: group.combinator === 'and' ? 'or' : 'and', rows: [newRow()] }] })}>
            Add group
          </button>
        )}
      </div>
    </>
  );
}

function RowEditor({
  row,
  label,
  onChange,
  onRemove,
  fields,
  operators,
  problem,
}: {
  row: ConditionRow;
  label: string;
  onChange(row: ConditionRow): void;
  onRemove(): void;
  fields: Field[];
  operators: RuleVocabulary['operators'];
  problem: string | null;
}) {
  const op = operators.find((o) => o.op === row.op);
  const field = fields.find((f) => f.path === row.field);
  const set = (patch: Partial<ConditionRow>) => onChange({ ...row, ...patch });
  return (
    <li className="builder-row">
      <select aria-label={`Condition ${label} field`} value={row.field} onChange={(e) => set({ field: e.target.value })}>
        {!field && <option value={row.field}>{row.field || 'Pick a field'}</option>}
        {fields.map((f) => (
          <option key={f.path} value={f.path}>
            {f.path}
          </option>
        ))}
      </select>
      <select aria-label={`Condition ${label} operator`} value={row.op} onChange={(e) => set({ op: e.target.value })}>
        {operators.map((o) => (
          <option key={o.op} value={o.op}>
            {o.label}
          </option>
        ))}
      </select>
      {/* An operator without a value keeps the value's column, so Remove stays in place. */}
      {op?.takes === 'none' && <span />}
      {op?.takes !== 'none' &&
        (field?.enum && op?.takes === 'value' ? (
          <select aria-label={`Condition ${label} value`} value={row.value} onChange={(e) => set({ value: e.target.value })}>
            <option value="">Pick a value</option>
            {field.enum.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        ) : (
          <input
            aria-label={`Condition ${label} value`}
            value={row.value}
            placeholder={op?.takes === 'values' ? 'words, separated by commas' : op?.takes === 'pattern' ? 'regular expression' : 'value'}
            onChange={(e) => set({ value: e.target.value })}
          />
        ))}
      <button type="button" className="btn btn-ghost btn-small" aria-label={`Remove condition ${label}`} onClick={onRemove}>
        Remove
      </button>
      {problem && <p className="row-problem">{problem}</p>}
      {field?.description && <p className="row-help muted small">{field.description}</p>}
    </li>
  );
}
