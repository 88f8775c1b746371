import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { Sender } from '../../api/admin-types.ts';
import { Badge, Empty, QueryView } from '../../ui/states.tsx';

const registrationTone = (s: string) => (s === 'approved' || s === 'not_required' ? 'good' : s === 'rejected' || s === 'unregistered' ? 'bad' : 'warn');

/** The connection's senders (GET /v1/connections/{id}/senders): numbers and addresses, 10DLC registration, pace. */
export function SendersCard({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['senders', id], queryFn: ({ signal }) => get<{ data: Sender[] }>(`/v1/connections/${id}/senders`, undefined, signal) });
  return (
    <section className="card card-flush" aria-labelledby="senders-title">
      <h2 id="senders-title" className="card-title">
        Senders
      </h2>
      <QueryView query={q} errorTitle="The senders could not be loaded" empty={<Empty title="No senders">Numbers and addresses this connection sends from appear here.</Empty>}>
        {(data) => (
          <table className="table" aria-label="Senders of this connection">
            <thead>
              <tr>
                <th scope="col">Sender</th>
                <th scope="col">Channel</th>
                <th scope="col">10DLC</th>
                <th scope="col">Pace</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((s) => (
                <tr key={s.id}>
                  <td className="mono">{s.address}</td>
                  <td>{s.channel}</td>
                  <td>
                    <Badge tone={registrationTone(s.registrationStatus)}>{s.registrationStatus.replace(/_/g, ' ')}</Badge>
                    {s.campaignId && <div className="small muted mono">{s.campaignId}</div>}
                  </td>
                  <td className="nowrap">{s.messagesPerSecond} msg/s</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
