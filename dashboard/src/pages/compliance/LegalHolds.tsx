import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, post } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { Empty, ErrorNotice, QueryView, formatTime } from '../../ui/states.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';

interface LegalHold {
  id: string;
  targetType: 'contact' | 'conversation';
  targetId: string;
  reason: string;
  createdAt: string;
  createdBy: string;
  releasedAt: string | null;
}
const HOLDS_KEY = ['legal-holds'];

/** Legal holds (/v1/legal-holds): what retention and erasure must not delete; place one on a contact or conversation, release it. */
export function LegalHolds() {
  const qc = useQueryClient();
  const holds = useQuery({ queryKey: HOLDS_KEY, queryFn: ({ signal }) => get<Page<LegalHold>>('/v1/legal-holds', { status: 'active', limit: 100 }, signal) });
  const [form, setForm] = useState({ targetType: 'conversation', targetId: '', reason: '' });
  const refresh = () => qc.invalidateQueries({ queryKey: HOLDS_KEY });
  const place = useMutation({
    mutationFn: () => post<LegalHold>('/v1/legal-holds', form),
    onSuccess: () => {
      setForm({ ...form, targetId: '', reason: '' });
      void refresh();
    },
  });
  const release = useMutation({ mutationFn: (id: string) => del(`/v1/legal-holds/${id}`), onSuccess: refresh });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    place.mutate();
  };
  return (
    <section className="card card-flush section-gap" aria-labelledby="holds-heading">
      <h2 id="holds-heading" className="card-title">
        Legal holds
      </h2>
      <div className="card-body">
        <form onSubmit={submit} className="form-row">
          <label className="field">
            <span>Hold on</span>
            <select value={form.targetType} onChange={(e) => setForm({ ...form, targetType: e.target.value })}>
              <option value="conversation">conversation</option>
              <option value="contact">contact</option>
            </select>
          </label>
          <label className="field grow">
            <span>Conversation or contact id</span>
            <input value={form.targetId} onChange={(e) => setForm({ ...form, targetId: e.target.value.trim() })} required />
          </label>
          <label className="field grow">
            <span>Reason</span>
            <input value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} required maxLength={500} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={place.isPending}>
            Place hold
          </button>
        </form>
        {place.isError && <ErrorNotice error={place.error} title="The hold was not placed" />}
        {release.isError && <ErrorNotice error={release.error} title="The hold was not released" />}
      </div>
      <QueryView query={holds} errorTitle="The legal holds could not be loaded" empty={<Empty title="No active legal hold">Retention and erasure apply to everything.</Empty>}>
        {(data) => (
          <table className="table" aria-label="Active legal holds">
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Reason</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((h) => (
                <tr key={h.id}>
                  <td className="small">
                    {h.targetType} <span className="mono muted">{h.targetId}</span>
                  </td>
                  <td>{h.reason}</td>
                  <td className="nowrap">
                    {formatTime(h.createdAt)} <div className="small muted">{h.createdBy}</div>
                  </td>
                  <td>
                    <ConfirmButton
                      className="btn btn-small"
                      label={`Release hold ${h.reason}`}
                      title="Release this legal hold?"
                      message="Retention and erasure apply to its target again."
                      confirmLabel="Release hold"
                      disabled={release.isPending}
                      onConfirm={() => release.mutate(h.id)}
                    >
                      Release
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </section>
  );
}
