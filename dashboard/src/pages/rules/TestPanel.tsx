import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { get, post } from '../../api/client.ts';
import type { EngineEvent } from '../../api/types.ts';
import type { RuleAction, RuleTestResult } from '../../api/admin-types.ts';
import type { JsonLogic } from './condition.ts';
import { Badge, ErrorNotice, formatTime } from '../../ui/states.tsx';

/** One line for an event in the picker: its type, time and what it is about. */
function describe(e: EngineEvent): string {
  const m = e.data?.message;
  const about = m ? `${m.direction ?? ''} ${m.channel ?? ''}: ${String(m.body ?? '').slice(0, 60)}` : (e.subjectId ?? '');
  return `${e.type} · ${formatTime(e.createdAt)} · ${about}`;
}

/**
 * "Test against a real event": the org's recent events of the trigger's type (GET /v1/sync,
 * newest first), and a dry run of the rule AS EDITED (POST /v1/rules/test: validated as on save,
 * templates rendered, nothing written or sent).
 */
export function TestPanel({ draft, eventType }: { draft: { trigger: string; condition: JsonLogic; actions: RuleAction[] }; eventType: string | null }) {
  const [eventId, setEventId] = useState('');
  const events = useQuery({
    queryKey: ['sync-recent', eventType],
    queryFn: () => get<{ events: EngineEvent[] }>('/v1/sync', { order: 'desc', limit: 25, types: eventType ?? undefined }),
  });
  const run = useMutation({ mutationFn: (id: string) => post<RuleTestResult>('/v1/rules/test', { rule: draft, eventId: id }) });
  const list = events.data?.events ?? [];
  const chosen = eventId || list[0]?.id || '';
  return (
    <section className="card" aria-labelledby="test-heading">
      <h2 id="test-heading">Test against a real event</h2>
      <p className="muted small">Runs the rule as edited against an event from the org’s feed. Nothing is saved or sent.</p>
      {events.isError ? (
        <ErrorNotice error={events.error} title="Recent events could not be loaded" retry={() => void events.refetch()} />
      ) : list.length === 0 && !events.isPending ? (
        <p className="muted">No {eventType ?? ''} events yet. Send a message to the org and come back.</p>
      ) : (
        <div className="test-controls">
          <label className="field grow">
            <span>Event</span>
            <select value={chosen} onChange={(e) => setEventId(e.target.value)} disabled={events.isPending}>
              {list.map((e) => (
                <option key={e.id} value={e.id}>
                  {describe(e)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" disabled={!chosen || run.isPending} onClick={() => run.mutate(chosen)}>
            {run.isPending ? 'Testing…' : 'Run test'}
          </button>
        </div>
      )}
      {run.isError && <ErrorNotice error={run.error} title="The test could not run" />}
      {run.data && <TestResult result={run.data} />}
    </section>
  );
}

function TestResult({ result }: { result: RuleTestResult }) {
  return (
    <div className="test-result" role="status" aria-label="Test result">
      <p>
        {result.matched ? <Badge tone="good">Would run</Badge> : <Badge tone="warn">Would not run</Badge>}{' '}
        {!result.triggerMatches && <span className="muted">The event is not of this rule’s trigger. </span>}
        <span className="muted">Condition result: </span>
        <code>{JSON.stringify(result.condition.result)}</code>
      </p>
      {result.actions.length > 0 && (
        <ol className="test-actions">
          {result.actions.map((a, i) => (
            <li key={i}>
              <code>{a.type}</code>{' '}
              {a.error ? (
                <span className="text-bad">
                  <code className="code">{a.error.code}</code> {a.error.message}
                </span>
              ) : (
                <pre className="mono would">{JSON.stringify(a.would, null, 2)}</pre>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
