import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, patch, post } from '../../api/client.ts';
import type { Rule, RuleAction, RuleVocabulary } from '../../api/admin-types.ts';
import type { EngineEvent } from '../../api/types.ts';
import { useCatalog } from '../connectors/queries.ts';
import { Link, navigate } from '../../app/router.tsx';
import { ErrorNotice, Loading, PageHeader } from '../../ui/states.tsx';
import { ActionList } from './ActionList.tsx';
import { ConditionBuilder } from './ConditionBuilder.tsx';
import { eventDataFields, type JsonLogic } from './condition.ts';
import { ExecutionLog } from './ExecutionLog.tsx';
import { RULES_KEY } from './RulesPage.tsx';
import { TestPanel } from './TestPanel.tsx';
import { VersionHistory } from './VersionHistory.tsx';
import '../admin.css';

type Draft = Pick<Rule, 'name' | 'trigger' | 'condition' | 'actions' | 'priority' | 'stopAfter' | 'enabled'> & { description: string | null };

const NEW_RULE: Draft = {
  name: '',
  description: null,
  trigger: 'message.received',
  condition: true,
  actions: [{ type: 'send_message', body: '' }],
  priority: 100,
  stopAfter: false,
  enabled: true,
};

const VOCABULARY_KEY = ['rules', 'vocabulary'];

/** /rules/new and /rules/:id: loads the vocabulary (and the rule), then the editor. */
export default function RuleEditorPage({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const vocabulary = useQuery({ queryKey: VOCABULARY_KEY, queryFn: () => get<RuleVocabulary>('/v1/rules/vocabulary'), staleTime: Infinity });
  const rule = useQuery({ queryKey: [...RULES_KEY, id], queryFn: () => get<Rule>(`/v1/rules/${id}`), enabled: !!id });
  const failed = vocabulary.error ?? rule.error;
  return (
    <>
      <PageHeader title={id ? (rule.data?.name ?? 'Rule') : 'New rule'} subtitle={<Link to="/rules">← All rules</Link>} />
      {failed ? (
        <ErrorNotice error={failed} title="The editor could not be loaded" retry={() => void (vocabulary.refetch(), id && rule.refetch())} />
      ) : !vocabulary.data || (id && !rule.data) ? (
        <Loading />
      ) : (
        <RuleEditor key={`${id ?? 'new'}:${rule.data?.version ?? 0}`} id={id} initial={rule.data ?? NEW_RULE} version={rule.data?.version} vocabulary={vocabulary.data} />
      )}
    </>
  );
}

/** Sections of the rule context a connector event has: no message or conversation, maybe a contact (data.contactId). */
const EXTERNAL_SCOPES = ['event', 'org', 'time', 'rule', 'contact'];

/**
 * Connector events (`<connector>.<type>`) the org's feed holds — they are the triggers beyond the
 * vocabulary's — and, for the one picked, its event.data.* fields read off the latest such event.
 */
function useConnectorEvents(picked: string | null) {
  const catalog = useCatalog();
  const recent = useQuery({ queryKey: ['sync-recent', 'all-types'], queryFn: () => get<{ events: EngineEvent[] }>('/v1/sync', { order: 'desc', limit: 200 }) });
  const sample = useQuery({
    queryKey: ['sync-recent', picked, 'sample'],
    enabled: !!picked,
    queryFn: () => get<{ events: EngineEvent[] }>('/v1/sync', { order: 'desc', limit: 1, types: picked! }),
  });
  const connectorIds = new Set((catalog.data ?? []).map((c) => c.id));
  const types = [...new Set((recent.data?.events ?? []).map((e) => e.type).filter((t) => connectorIds.has(t.split('.')[0]!)))].sort();
  const dataFields = eventDataFields(sample.data?.events[0]?.data).map((f) => ({ ...f, scope: 'event', description: `In the latest ${picked} event` }));
  return { types, dataFields };
}

function RuleEditor({ id, initial, version, vocabulary }: { id?: string; initial: Draft; version?: number; vocabulary: RuleVocabulary }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>({
    name: initial.name,
    description: initial.description,
    trigger: initial.trigger,
    condition: initial.condition,
    actions: initial.actions,
    priority: initial.priority,
    stopAfter: initial.stopAfter,
    enabled: initial.enabled,
  });
  const [conditionProblem, setConditionProblem] = useState<string | null>(null);
  const set = (patchDraft: Partial<Draft>) => setDraft((d) => ({ ...d, ...patchDraft }));
  const trigger = vocabulary.triggers.find((t) => t.trigger === draft.trigger);
  const external = useConnectorEvents(trigger ? null : draft.trigger);
  // Fields the trigger's events have (a message field means nothing on contact.created); a
  // connector event's own event.data.* fields come from the latest such event in the feed.
  const fields = trigger ? vocabulary.fields.filter((f) => trigger.scopes.includes(f.scope)) : [...vocabulary.fields.filter((f) => EXTERNAL_SCOPES.includes(f.scope)), ...external.dataFields];
  const save = useMutation({
    mutationFn: () => (id ? patch<Rule>(`/v1/rules/${id}`, draft) : post<Rule>('/v1/rules', draft)),
    onSuccess: (saved) => {
      qc.setQueryData([...RULES_KEY, saved.id], saved);
      void qc.invalidateQueries({ queryKey: RULES_KEY });
      if (!id) navigate(`/rules/${saved.id}?saved=1`, { replace: true });
    },
  });
  const problems = save.error instanceof ApiError ? save.error.fields : [];
  const justCreated = new URLSearchParams(window.location.search).has('saved');
  return (
    <div className="editor">
      <section className="card" aria-labelledby="rule-heading">
        <h2 id="rule-heading">Rule</h2>
        <div className="grid grid-2">
          <label className="field">
            <span>Name</span>
            <input value={draft.name} onChange={(e) => set({ name: e.target.value })} required aria-invalid={problems.some((p) => p.field === '/name') || undefined} />
          </label>
          <label className="field">
            <span>Trigger</span>
            <select value={draft.trigger} onChange={(e) => set({ trigger: e.target.value })}>
              {!trigger && !external.types.includes(draft.trigger) && <option value={draft.trigger}>{draft.trigger}</option>}
              <optgroup label="Switchboard events">
                {vocabulary.triggers.map((t) => (
                  <option key={t.trigger} value={t.trigger}>
                    {t.trigger} — {t.description}
                  </option>
                ))}
              </optgroup>
              {external.types.length > 0 && (
                <optgroup label="Connector events (seen in the feed)">
                  {external.types.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
          </label>
          <label className="field">
            <span>Priority (lower runs first)</span>
            <input type="number" step={1} value={draft.priority} onChange={(e) => set({ priority: Number(e.target.value) })} />
          </label>
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={draft.stopAfter} onChange={(e) => set({ stopAfter: e.target.checked })} /> Stop lower-priority rules when this one matches
            </label>
          </div>
        </div>
        <ConditionBuilder
          value={draft.condition}
          fields={fields}
          operators={vocabulary.operators}
          onChange={(condition, problem) => {
            set({ condition });
            setConditionProblem(problem);
          }}
        />
      </section>
      <section className="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading">Actions</h2>
        <p className="muted small">
          Run in order. Text may use templates such as <code>{'{{contact.name}}'}</code> or <code>{'{{message.body}}'}</code>; the test below shows them rendered.
        </p>
        <ActionList value={draft.actions} onChange={(actions: RuleAction[]) => set({ actions })} actions={vocabulary.actions} problems={problems} />
      </section>
      <TestPanel draft={{ trigger: draft.trigger, condition: draft.condition, actions: draft.actions }} eventType={trigger?.eventType ?? draft.trigger} />
      <div className="save-bar">
        {save.isError && <ErrorNotice error={save.error} title="The rule was not saved" />}
        {conditionProblem && <p className="row-problem">{conditionProblem}</p>}
        {(save.isSuccess || justCreated) && (
          <p className="notice notice-good" role="status">
            Saved{version ? ` (version ${save.data?.version ?? version})` : ''}.
          </p>
        )}
        <button type="button" className="btn btn-primary" disabled={save.isPending || !!conditionProblem} onClick={() => save.mutate()}>
          {save.isPending ? 'Saving…' : id ? 'Save changes' : 'Create rule'}
        </button>
      </div>
      {id && <ExecutionLog ruleId={id} />}
      {id && <VersionHistory ruleId={id} current={save.data?.version ?? version ?? 1} />}
    </div>
  );
}
