import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { RuleExecution } from '../../api/admin-types.ts';
import { Badge, Empty, QueryView, formatTime } from '../../ui/states.tsx';

const tone = (status: string) => (status === 'completed' || status === 'succeeded' ? 'good' : status === 'failed' ? 'bad' : status === 'skipped' ? 'neutral' : 'info');

/** A rule's executions, newest first (refreshed every few seconds while the page is open). */
export function ExecutionLog({ ruleId }: { ruleId: string }) {
  const q = useQuery({ queryKey: ['rules', ruleId, 'executions'], queryFn: () => get<Page<RuleExecution>>(`/v1/rules/${ruleId}/executions`, { limit: 50 }), refetchInterval: 3000 });
  return (
    <section className="card card-flush" aria-labelledby="executions-heading">
      <h2 id="executions-heading" className="card-title">
        Execution log
      </h2>
      <QueryView query={q} errorTitle="The execution log could not be loaded" empty={<Empty title="Not run yet">Executions appear here when an event of the rule's trigger arrives.</Empty>}>
        {(data) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Version</th>
                <th scope="col">Decision</th>
                <th scope="col">Status</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((x) => (
                <tr key={x.id}>
                  <td>{formatTime(x.createdAt)}</td>
                  <td>
                    <code>{x.eventType}</code>
                  </td>
                  <td>v{x.ruleVersion}</td>
                  <td>{x.decision}</td>
                  <td>
                    <Badge tone={tone(x.status)}>{x.status}</Badge>
                  </td>
                  <td className="small">{x.error ? JSON.stringify(x.error) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
