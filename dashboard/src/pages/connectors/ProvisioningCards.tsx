import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get, post } from '../../api/client.ts';
import type { AvailableNumber, Connection, ProvisionedNumber, ProvisioningHealth } from '../../api/types.ts';
import { Badge, ErrorNotice, QueryView, relativeTime } from '../../ui/states.tsx';
import { connectorKeys } from './queries.ts';

/**
 * Provisioning on the connection page, through the public API only (issue 14):
 * - "Webhook wiring": GET /v1/connections/{id}/health (does every provider webhook point here,
 *   credentials, traffic, registration) and "Fix webhook URLs" (POST …/wiring/fix);
 * - "Get a number": GET …/numbers/available, then POST …/numbers with an Idempotency-Key (a
 *   double click or a retry after a timeout does not buy twice).
 * Each card shows only when the connection's connector offers the operation (GET …/provisioning).
 */
export function ProvisioningCards({ c, writable }: { c: Connection; writable: boolean }) {
  const ops = useQuery({
    queryKey: connectorKeys.provisioning(c.id),
    queryFn: ({ signal }) => get<{ sandbox: boolean; operations: string[] }>(`/v1/connections/${c.id}/provisioning`, undefined, signal),
  });
  if (!ops.data) return null;
  const has = (op: string) => ops.data.operations.includes(op);
  return (
    <>
      {has('wiring') && <WiringCard c={c} writable={writable} />}
      {has('searchNumbers') && has('buyNumber') && writable && <GetNumberCard c={c} />}
    </>
  );
}

/** A random Idempotency-Key (crypto.randomUUID needs a secure context; getRandomValues does not). */
const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

const TONE = { ok: 'good', degraded: 'warn', failing: 'bad' } as const;

function WiringCard({ c, writable }: { c: Connection; writable: boolean }) {
  const qc = useQueryClient();
  const health = useQuery({ queryKey: connectorKeys.wiring(c.id), queryFn: ({ signal }) => get<ProvisioningHealth>(`/v1/connections/${c.id}/health`, undefined, signal) });
  const fix = useMutation({
    mutationFn: () => post<ProvisioningHealth>(`/v1/connections/${c.id}/wiring/fix`, {}),
    onSuccess: (report) => qc.setQueryData(connectorKeys.wiring(c.id), report),
  });
  return (
    <section className="card" aria-labelledby="wiring-title">
      <h2 id="wiring-title">Webhook wiring</h2>
      <p className="muted">Where the provider sends messages and delivery statuses, checked at the provider.</p>
      <QueryView query={health} errorTitle="The wiring check could not run">
        {(h) => (
          <>
            <p>
              <Badge tone={TONE[h.status]}>{h.status}</Badge> <span className="small muted">checked {relativeTime(h.checkedAt)}</span>
            </p>
            {h.wiring && h.wiring.length > 0 ? (
              <table className="table" aria-label="Webhook settings">
                <thead>
                  <tr>
                    <th scope="col">Where</th>
                    <th scope="col">Setting</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {h.wiring.map((w, i) => (
                    <tr key={`${w.kind}-${w.id}-${w.field ?? i}`}>
                      <td>
                        {w.kind.replace(/_/g, ' ')} <span className="mono">{w.id}</span>
                      </td>
                      <td className="mono">{w.field ?? '—'}</td>
                      <td>
                        <Badge tone={w.ok ? 'good' : 'bad'}>{w.fixed ? 'fixed' : w.ok ? 'points here' : w.fixable === false ? 'action needed' : 'points elsewhere'}</Badge>
                        {!w.ok && (w.message || w.actual) && <div className="small muted">{w.message ?? `now: ${w.actual}`}</div>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted small">Nothing to point here yet (no number or webhook of this connection at the provider).</p>
            )}
            {h.problems.length > 0 && (
              <ul className="problems" aria-label="Problems">
                {h.problems.map((p, i) => (
                  <li key={`${p.code}-${i}`}>
                    <code>{p.code}</code> {p.message}
                  </li>
                ))}
              </ul>
            )}
            <div className="connection-actions">
              {writable && (
                <button type="button" className="btn btn-primary" disabled={fix.isPending} onClick={() => fix.mutate()}>
                  {fix.isPending ? 'Fixing…' : 'Fix webhook URLs'}
                </button>
              )}
              <button type="button" className="btn" disabled={health.isFetching} onClick={() => void health.refetch()}>
                Check again
              </button>
            </div>
            <div role="status" aria-live="polite">
              {fix.isSuccess && (
                <p className="notice notice-good">
                  {(() => {
                    const n = (fix.data.wiring ?? []).filter((w) => w.fixed).length;
                    return n ? `Re-pointed ${n} setting${n === 1 ? '' : 's'} at this connection.` : 'Everything already points at this connection.';
                  })()}
                </p>
              )}
            </div>
            {fix.isError && <ErrorNotice error={fix.error} title="The webhook URLs were not fixed" />}
          </>
        )}
      </QueryView>
    </section>
  );
}

function GetNumberCard({ c }: { c: Connection }) {
  const qc = useQueryClient();
  const [country, setCountry] = useState('US');
  const [areaCode, setAreaCode] = useState('');
  const [search, setSearch] = useState<{ country: string; areaCode: string } | null>(null);
  // One key per chosen number and page visit: a retry of the same purchase replays it.
  const [keys] = useState(() => new Map<string, string>());
  const found = useQuery({
    queryKey: ['connections', c.id, 'numbers-available', search],
    enabled: !!search,
    queryFn: ({ signal }) => get<{ data: AvailableNumber[] }>(`/v1/connections/${c.id}/numbers/available`, { country: search!.country, areaCode: search!.areaCode, sms: true, limit: 10 }, signal),
  });
  const buy = useMutation({
    mutationFn: (phoneNumber: string) => {
      if (!keys.has(phoneNumber)) keys.set(phoneNumber, newKey());
      return api<ProvisionedNumber>('POST', `/v1/connections/${c.id}/numbers`, { phoneNumber }, { headers: { 'idempotency-key': keys.get(phoneNumber)! } });
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: connectorKeys.wiring(c.id) });
      void qc.invalidateQueries({ queryKey: ['connections', c.id, 'senders'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch({ country: country.trim().toUpperCase(), areaCode: areaCode.trim() });
  };
  return (
    <section className="card" aria-labelledby="get-number-title">
      <h2 id="get-number-title">Get a number</h2>
      <p className="muted">
        {c.sandbox ? 'Sandbox: fictional numbers that work in the sandbox flow; nothing is bought.' : 'Buys the number in the provider account; it is pointed at this connection and becomes one of its senders.'}
      </p>
      <form className="inline-form" onSubmit={submit} aria-label="Search numbers">
        <label>
          Country
          <input value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} size={3} required pattern="[A-Za-z]{2}" />
        </label>
        <label>
          Area code
          <input value={areaCode} onChange={(e) => setAreaCode(e.target.value)} inputMode="numeric" pattern="[0-9]{2,5}" size={6} />
        </label>
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      {search && (
        <QueryView query={found} errorTitle="The search failed" empty={<p className="muted">No numbers available for that search.</p>}>
          {(r) => (
            <table className="table" aria-label="Available numbers">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Where</th>
                  <th scope="col">Capabilities</th>
                  <th scope="col">
                    <span className="sr-only">Buy</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.data.map((n) => (
                  <tr key={n.phoneNumber}>
                    <td className="mono">{n.phoneNumber}</td>
                    <td>{[n.locality, n.region].filter(Boolean).join(', ') || '—'}</td>
                    <td>{Object.entries(n.capabilities).filter(([, v]) => v).map(([k]) => k.toUpperCase()).join(', ') || '—'}</td>
                    <td>
                      <button type="button" className="btn btn-small" disabled={buy.isPending} onClick={() => buy.mutate(n.phoneNumber)} aria-label={`Buy ${n.phoneNumber}`}>
                        Buy
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryView>
      )}
      <div role="status" aria-live="polite">
        {buy.isSuccess && (
          <p className="notice notice-good">
            {buy.data.sandbox ? 'Sandbox number' : 'Bought'} {buy.data.phoneNumber}: it points at this connection and is now one of its senders.
          </p>
        )}
      </div>
      {buy.isError && <ErrorNotice error={buy.error} title="The number was not bought" />}
    </section>
  );
}
