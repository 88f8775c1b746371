import { useState } from 'react';
import type { RuleVocabulary } from '../../api/admin-types.ts';
import { fromJsonLogic, rowToLogic, toJsonLogic, type BuiltCondition, type ConditionRow, type FieldTypes, type JsonLogic } from './condition.ts';

type Field = RuleVocabulary['fields'][number];

/**
 * The condition as rows (field, operator, value) joined by all/any, and the same condition as
 * json-logic in a raw view; editing either updates the other. json-logic the rows cannot show
 * (nested groups, other operators) is kept and edited in the raw view only. `value` is read once:
 * the editor mounts the builder when the rule has loaded.
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
  const [rowProblems, setRowProblems] = useState<(string | null)[]>([]);

  const fromRows = (next: BuiltCondition) => {
    setBuilt(next);
    const problems = next.rows.map((r) => {
      try {
        rowToLogic(r, types);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    });
    setRowProblems(problems);
    const firstProblem = problems.find(Boolean) ?? null;
    const complete = { ...next, rows: next.rows.filter((_, i) => !problems[i]) };
    const logic = toJsonLogic(complete, types);
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
    setRowProblems([]);
    onChange(logic, null);
  };

  const setRow = (i: number, row: Partial<ConditionRow>) => built && fromRows({ ...built, rows: built.rows.map((r, j) => (i === j ? { ...r, ...row } : r)) });
  const firstField = fields.find((f) => f.path === 'message.body') ?? fields[0];

  return (
    <div className="condition">
      {built ? (
        <fieldset className="builder">
          <legend>Condition</legend>
          {built.rows.length === 0 ? (
            <p className="muted small">No condition: the rule runs on every event of its trigger.</p>
          ) : (
            <label className="inline-field">
              <span>Match</span>
              <select value={built.combinator} onChange={(e) => fromRows({ ...built, combinator: e.target.value as 'and' | 'or' })}>
                <option value="and">all of these</option>
                <option value="or">any of these</option>
              </select>
            </label>
          )}
          <ol className="builder-rows">
            {built.rows.map((row, i) => {
              const op = operators.find((o) => o.op === row.op);
              const field = fields.find((f) => f.path === row.field);
              return (
                <li key={i} className="builder-row">
                  <select aria-label={`Condition ${i + 1} field`} value={row.field} onChange={(e) => setRow(i, { field: e.target.value })}>
                    {!field && <option value={row.field}>{row.field || 'Pick a field'}</option>}
                    {fields.map((f) => (
                      <option key={f.path} value={f.path}>
                        {f.path}
                      </option>
                    ))}
                  </select>
                  <select aria-label={`Condition ${i + 1} operator`} value={row.op} onChange={(e) => setRow(i, { op: e.target.value })}>
                    {operators.map((o) => (
                      <option key={o.op} value={o.op}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  {op?.takes !== 'none' &&
                    (field?.enum && op?.takes === 'value' ? (
                      <select aria-label={`Condition ${i + 1} value`} value={row.value} onChange={(e) => setRow(i, { value: e.target.value })}>
                        <option value="">Pick a value</option>
                        {field.enum.map((v) => (
                          <option key={v}>{v}</option>
                        ))}
                      </select>
                    ) : (
                      <input
                        aria-label={`Condition ${i + 1} value`}
                        value={row.value}
                        placeholder={op?.takes === 'values' ? 'words, separated by commas' : op?.takes === 'pattern' ? 'regular expression' : 'value'}
                        onChange={(e) => setRow(i, { value: e.target.value })}
                      />
                    ))}
                  <button type="button" className="btn btn-ghost btn-small" aria-label={`Remove condition ${i + 1}`} onClick={() => fromRows({ ...built, rows: built.rows.filter((_, j) => j !== i) })}>
                    Remove
                  </button>
                  {rowProblems[i] && <p className="row-problem">{rowProblems[i]}</p>}
                  {field && <p className="row-help muted small">{field.description}</p>}
                </li>
              );
            })}
          </ol>
          <button type="button" className="btn btn-small" onClick={() => fromRows({ ...built, rows: [...built.rows, { field: firstField?.path ?? '', op: 'contains_any_word', value: '' }] })}>
            Add condition
          </button>
        </fieldset>
      ) : (
        <div className="notice notice-info">
          <p>This condition uses json-logic the builder cannot show (nested groups or other operators); edit it as JSON below.</p>
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
