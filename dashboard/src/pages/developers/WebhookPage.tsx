import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { Delivery, Subscription } from '../../api/admin-types.ts';
import { Link, navigate } from '../../app/router.tsx';
import { Badge, Empty, ErrorNotice, PageHeader, QueryView, formatTime } from '../../ui/states.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { SecretOnce } from '../../ui/secret-once.tsx';
import { DEFAULT_RETRIES, SUBSCRIPTIONS_KEY } from './Webhooks.tsx';
import '../admin.css';

/** Attempts are seconds apart at first: show the seconds. */
const atTime = (iso: string) => new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const statusTone = (s: Delivery['status']) => (s === 'succeeded' ? 'good' : s === 'failed' ? 'bad' : 'warn');

/** One webhook endpoint: test, rotate the secret, enable/disable, delete, and its delivery log with every attempt. */
export default function WebhookPage({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const qc = useQueryClient();
  const sub = useQuery({ queryKey: [...SUBSCRIPTIONS_KEY, id], queryFn: () => get<Subscription>(`/v1/subscriptions/${id}`) });
  const deliveries = useQuery({
    queryKey: [...SUBSCRIPTIONS_KEY, id, 'deliveries'],
    queryFn: () => get<Page<Delivery>>(`/v1/subscriptions/${id}/deliveries`, { limit: 50 }),
    // Attempts land in the background: refresh while the log is open.
    refetchInterval: 2000,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: [...SUBSCRIPTIONS_KEY, id] });
  const sendTest = useMutation({ mutationFn: () => post<Delivery>(`/v1/subscriptions/${id}/test`), onSuccess: refresh });
  const rotate = useMutation({ mutationFn: () => post<Subscription>(`/v1/subscriptions/${id}/rotate-secret`), onSuccess: refresh });
  const toggle = useMutation({ mutationFn: (enabled: boolean) => patch<Subscription>(`/v1/subscriptions/${id}`, { enabled }), onSuccess: refresh });
  const remove = useMutation({
    mutationFn: () => del(`/v1/subscriptions/${id}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: SUBSCRIPTIONS_KEY });
      navigate('/developers');
    },
  });
  const redeliver = useMutation({ mutationFn: (deliveryId: string) => post<Delivery>(`/v1/subscriptions/${id}/deliveries/${deliveryId}/redeliver`), onSuccess: refresh });
  const failure = sendTest.error ?? rotate.error ?? toggle.error ?? remove.error ?? redeliver.error;
  return (
    <>
      <PageHeader
        title="Webhook endpoint"
        subtitle={<Link to="/developers">← Developers</Link>}
        actions={
          sub.data && (
            <>
              <button type="button" className="btn" onClick={() => sendTest.mutate()} disabled={sendTest.isPending}>
                Send test event
              </button>
              <button type="button" className="btn" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
                Rotate secret
              </button>
              <button type="button" className="btn" onClick={() => toggle.mutate(!sub.data.enabled)} disabled={toggle.isPending}>
                {sub.data.enabled ? 'Disable' : 'Enable'}
              </button>
              <ConfirmButton title="Delete this webhook endpoint?" message="No more events are sent to it, and its delivery log goes with it." confirmLabel="Delete endpoint" disabled={remove.isPending} onConfirm={() => remove.mutate()}>
                Delete
              </ConfirmButton>
            </>
          )
        }
      />
      {failure && <ErrorNotice error={failure} title="That did not work" />}
      {rotate.data?.secret && <SecretOnce label="New signing secret (the previous one keeps signing for 24 h)" secret={rotate.data.secret} onDone={() => rotate.reset()} />}
      <QueryView query={sub} errorTitle="The endpoint could not be loaded">
        {(s) => (
          <section className="card" aria-label="Endpoint">
            <dl className="kv">
              <dt>URL</dt>
              <dd>
                <code>{s.url}</code>
              </dd>
              <dt>Events</dt>
              <dd>{s.eventTypes.join(', ')}</dd>
              <dt>Retries</dt>
              <dd>{s.retrySchedule ? (s.retrySchedule.length ? `at once, then after ${s.retrySchedule.map((x) => `${x} s`).join(', ')}` : 'one attempt, no retry') : DEFAULT_RETRIES}</dd>
              <dt>Status</dt>
              <dd>
                <Badge tone={s.status === 'active' ? 'good' : 'bad'}>{s.status}</Badge> {s.disabledReason}
              </dd>
            </dl>
          </section>
        )}
      </QueryView>
      <section className="card card-flush section-gap" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading" className="card-title">
          Delivery log
        </h2>
        <QueryView query={deliveries} errorTitle="The delivery log could not be loaded" empty={<Empty title="No deliveries yet">Send a test event, or wait for an event this endpoint subscribes to.</Empty>}>
          {(data) => (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Next retry</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.data.map((d) => (
                  <tr key={d.id} aria-label={`Delivery ${d.eventType}`}>
                    <td>
                      <code>{d.eventType}</code>
                      <div className="small muted">{formatTime(d.createdAt)}</div>
                    </td>
                    <td>
                      <Badge tone={statusTone(d.status)}>{d.status}</Badge>
                      {d.lastError && <div className="small muted">{d.lastError}</div>}
                    </td>
                    <td>
                      <ol className="attempts" aria-label="Attempts">
                        {d.attemptLog.map((a) => (
                          <li key={a.attempt}>
                            <Badge tone={a.outcome === 'succeeded' ? 'good' : 'bad'}>{a.statusCode ?? a.errorClass ?? 'no answer'}</Badge> {atTime(a.startedAt)}
                            {a.durationMs !== null && <span className="muted"> · {a.durationMs} ms</span>}
                          </li>
                        ))}
                      </ol>
                    </td>
                    <td>{d.status === 'pending' && d.nextAttemptAt ? atTime(d.nextAttemptAt) : '—'}</td>
                    <td>
                      {/* A pending delivery is retried on its schedule; the API refuses to redeliver it. */}
                      {d.status !== 'pending' && (
                        <button type="button" className="btn btn-small" onClick={() => redeliver.mutate(d.id)} disabled={redeliver.isPending}>
                          Redeliver
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryView>
      </section>
    </>
  );
}
