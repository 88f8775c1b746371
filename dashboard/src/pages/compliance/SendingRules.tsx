import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { Connection } from '../../api/types.ts';
import type { Org, Sender } from '../../api/admin-types.ts';
import { Link } from '../../app/router.tsx';
import { Badge, Empty, ErrorNotice, Loading, QueryView } from '../../ui/states.tsx';
import { ORG_KEY } from '../settings/OrgSettings.tsx';

const registrationTone = (s: string) => (s === 'approved' || s === 'not_required' ? 'good' : s === 'rejected' || s === 'unregistered' ? 'bad' : 'warn');

/** What limits sending: quiet hours, HIPAA and safe mode (set in Settings), and each sender's 10DLC registration and pace. */
export function SendingRules() {
  const org = useQuery({ queryKey: ORG_KEY, queryFn: () => get<Org>('/v1/org') });
  const senders = useQuery({
    queryKey: ['senders', 'all'],
    queryFn: async () => {
      const { data } = await get<{ data: Connection[] }>('/v1/connections');
      const lists = await Promise.all(data.map(async (c) => ({ connection: c, senders: (await get<{ data: Sender[] }>(`/v1/connections/${c.id}/senders`)).data })));
      return lists.flatMap((l) => l.senders.map((s) => ({ ...s, connection: l.connection })));
    },
  });
  const s = org.data?.settings;
  return (
    <section className="card section-gap" aria-labelledby="sending-heading">
      <h2 id="sending-heading">Sending rules</h2>
      {org.isError ? (
        <ErrorNotice error={org.error} title="The org settings could not be loaded" />
      ) : !s ? (
        <Loading />
      ) : (
        <dl className="kv">
          <dt>Quiet hours</dt>
          <dd>
            Marketing leaves only between <strong>{s.quietHours?.start}</strong> and <strong>{s.quietHours?.end}</strong>, recipient’s local time
          </dd>
          <dt>HIPAA mode</dt>
          <dd>{s.hipaaMode?.enabled ?? s.hipaaMode ? <Badge tone="info">on</Badge> : <Badge>off</Badge>}</dd>
          <dt>Safe mode (redaction)</dt>
          <dd>{s.safeMode?.enabled ? <Badge tone="info">on</Badge> : <Badge>off</Badge>}</dd>
          <dt>Change</dt>
          <dd>
            <Link to="/settings">Settings</Link>
          </dd>
        </dl>
      )}
      <h3 className="section-gap">Senders and 10DLC registration</h3>
      <QueryView query={senders} errorTitle="The senders could not be loaded" empty={<Empty title="No senders">Add numbers to a connection to see their registration here.</Empty>}>
        {(data) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Sender</th>
                <th scope="col">Connection</th>
                <th scope="col">Registration</th>
                <th scope="col">Brand / campaign</th>
                <th scope="col">Pace</th>
              </tr>
            </thead>
            <tbody>
              {data.map((x) => (
                <tr key={x.id}>
                  <td>
                    <code>{x.address}</code> <span className="muted small">{x.channel}</span>
                  </td>
                  <td>
                    <Link to={`/connections/${x.connection.id}`}>{x.connection.name}</Link>
                  </td>
                  <td>
                    <Badge tone={registrationTone(x.registrationStatus)}>{x.registrationStatus.replace('_', ' ')}</Badge>
                  </td>
                  <td className="small mono">{[x.brandId, x.campaignId].filter(Boolean).join(' / ') || '—'}</td>
                  <td>{x.messagesPerSecond}/s</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
