import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client.ts';
import type { Consent } from '../../api/admin-types.ts';
import { Badge, Empty, ErrorNotice, formatTime } from '../../ui/states.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { ExportLedger } from './ExportLedger.tsx';

type Handle = { kind: string; value: string };

/** Opt-outs: a handle's consent per channel and purpose (GET /v1/consents), record an opt-out, export the whole ledger as CSV. */
export function ConsentLookup() {
  const [handle, setHandle] = useState<Handle>({ kind: 'phone', value: '' });
  const [channel, setChannel] = useState('sms');
  const qc = useQueryClient();
  const lookup = useMutation({ mutationFn: (h: Handle) => get<{ current: Consent[]; history: Consent[] }>('/v1/consents', { handle: h }) });
  const optOut = useMutation({
    mutationFn: () => post('/v1/consents', { handle, channel, status: 'opted_out', source: 'form', evidence: { via: 'dashboard' } }),
    onSuccess: () => {
      lookup.mutate(handle);
      void qc.invalidateQueries({ queryKey: ['consents-current'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    lookup.mutate(handle);
  };
  return (
    <section className="card" aria-labelledby="consent-heading">
      <div className="action-head">
        <h2 id="consent-heading">Consent and opt-outs</h2>
        <ExportLedger />
      </div>
      <form onSubmit={submit} className="form-row">
        <label className="field">
          <span>Handle kind</span>
          <select value={handle.kind} onChange={(e) => setHandle({ ...handle, kind: e.target.value })}>
            <option>phone</option>
            <option>email</option>
            <option>whatsapp</option>
          </select>
        </label>
        <label className="field grow">
          <span>Phone number or address</span>
          <input value={handle.value} onChange={(e) => setHandle({ ...handle, value: e.target.value })} placeholder="+14155550123" required />
        </label>
        <button type="submit" className="btn" disabled={lookup.isPending}>
          Look up
        </button>
      </form>
      {lookup.isError && <ErrorNotice error={lookup.error} title="The lookup failed" />}
      {lookup.data && (
        <div className="section-gap" aria-label="Consent state">
          {lookup.data.current.length === 0 ? (
            <Empty title="No consent recorded">Transactional messages may go; marketing needs an opt-in.</Empty>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {lookup.data.current.map((c) => (
                  <tr key={c.id}>
                    <td>{c.channel}</td>
                    <td>{c.purpose}</td>
                    <td>
                      <Badge tone={c.status === 'opted_out' ? 'bad' : 'good'}>{c.status.replace('_', ' ')}</Badge>
                    </td>
                    <td>{formatTime(c.recordedAt)}</td>
                    <td>
                      {c.source} <span className="muted small">{c.recordedBy}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="form-row section-gap">
            <label className="field">
              <span>Channel to opt out of</span>
              <input value={channel} onChange={(e) => setChannel(e.target.value)} />
            </label>
            <ConfirmButton
              title="Record an opt-out?"
              message={`Nothing more is sent on ${channel || 'this channel'} to this handle (either purpose) until they opt in again. The ledger records you as the one who did it.`}
              confirmLabel="Record opt-out"
              disabled={optOut.isPending}
              onConfirm={() => optOut.mutate()}
            >
              Record opt-out
            </ConfirmButton>
          </div>
          {optOut.isError && <ErrorNotice error={optOut.error} title="The opt-out was not recorded" />}
        </div>
      )}
    </section>
  );
}
