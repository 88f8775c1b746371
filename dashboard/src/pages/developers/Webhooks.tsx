import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client.ts';
import type { Subscription } from '../../api/admin-types.ts';
import { Link } from '../../app/router.tsx';
import { Badge, Empty, ErrorNotice, QueryView, formatTime } from '../../ui/states.tsx';
import { SecretOnce } from '../../ui/secret-once.tsx';

export const SUBSCRIPTIONS_KEY = ['subscriptions'];
const EVENT_TYPE_HINT = 'message.*, conversation.*, contact.*, webhook.test, or *';
export const DEFAULT_RETRIES = 'at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h';

/** "5, 60" → [5, 60]; blank → undefined (the default schedule). Bad numbers go to the server, which names the field. */
const parseSchedule = (text: string) => (text.trim() ? text.split(',').map((t) => Number(t.trim())) : undefined);

/** Webhook subscriptions: create (the signing secret shown once), list; each opens its delivery log. */
export function Webhooks() {
  const qc = useQueryClient();
  const subs = useQuery({ queryKey: SUBSCRIPTIONS_KEY, queryFn: () => get<{ data: Subscription[] }>('/v1/subscriptions') });
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('message.*');
  const [retries, setRetries] = useState('');
  const create = useMutation({
    mutationFn: () =>
      post<Subscription>('/v1/subscriptions', {
        url,
        eventTypes: types
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        retrySchedule: parseSchedule(retries),
      }),
    onSuccess: () => {
      setUrl('');
      setRetries('');
      void qc.invalidateQueries({ queryKey: SUBSCRIPTIONS_KEY });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section className="card section-gap" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p className="muted small">Events are POSTed to your endpoint, signed (Standard Webhooks), retried on failure: {DEFAULT_RETRIES}, unless the endpoint has its own retry schedule.</p>
      <form onSubmit={submit} className="form-row">
        <label className="field grow">
          <span>Endpoint URL</span>
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/webhooks/switchboard" required />
        </label>
        <label className="field grow">
          <span>Event types</span>
          <input value={types} onChange={(e) => setTypes(e.target.value)} placeholder={EVENT_TYPE_HINT} required aria-describedby="event-types-help" />
        </label>
        <label className="field">
          <span>Retry after (seconds)</span>
          <input value={retries} onChange={(e) => setRetries(e.target.value)} placeholder="default" inputMode="numeric" aria-describedby="retries-help" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Add endpoint
        </button>
      </form>
      <p id="event-types-help" className="muted small">
        Comma-separated: {EVENT_TYPE_HINT}
      </p>
      <p id="retries-help" className="muted small">
        Retry after: seconds before each retry, comma-separated (e.g. 5, 60 makes three attempts in all; up to 10 retries of 1 s to 24 h). Blank: the default schedule.
      </p>
      {create.isError && <ErrorNotice error={create.error} title="The endpoint was not added" />}
      {create.data?.secret && <SecretOnce label="Signing secret" secret={create.data.secret} onDone={() => create.reset()} />}
      <QueryView query={subs} errorTitle="The webhooks could not be loaded" empty={<Empty title="No webhook endpoints" />}>
        {(data) => (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/developers/webhooks/${s.id}`}>{s.url}</Link>
                  </td>
                  <td>
                    <div className="tags">
                      {s.eventTypes.map((t) => (
                        <Badge key={t}>{t}</Badge>
                      ))}
                    </div>
                  </td>
                  <td>
                    {s.status === 'active' ? <Badge tone={s.failingSince ? 'warn' : 'good'}>{s.failingSince ? `failing since ${formatTime(s.failingSince)}` : 'active'}</Badge> : <Badge tone="bad">disabled</Badge>}
                    {s.disabledReason && <div className="small muted">{s.disabledReason}</div>}
                  </td>
                  <td>{formatTime(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
