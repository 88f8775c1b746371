import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { ConsentState } from '../../api/admin-types.ts';
import { Badge, Empty, QueryView, formatTime } from '../../ui/states.tsx';

/**
 * The org's opt-out list (GET /v1/consents/current?status=opted_out): every handle whose latest
 * ledger entry for a channel and purpose is an opt-out, most recent first, filtered by channel.
 * A handle is shown by value only through a contact that still holds it (the ledger keeps none).
 */
export function OptOutList() {
  const [channel, setChannel] = useState('');
  const q = useInfiniteQuery({
    queryKey: ['consents-current', 'opted_out', channel],
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) =>
      get<Page<ConsentState>>('/v1/consents/current', { status: 'opted_out', channel: channel || undefined, limit: 25, cursor: pageParam || undefined }, signal),
    getNextPageParam: (last) => (last.hasMore ? (last.nextCursor ?? undefined) : undefined),
  });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="card card-flush section-gap" aria-labelledby="optouts-heading">
      <div className="action-head card-title">
        <h2 id="optouts-heading">Opt-out list</h2>
        <label className="field inline">
          <span className="sr-only">Opt-out channel</span>
          <select aria-label="Opt-out channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            <option value="">All channels</option>
            <option value="sms">SMS / MMS</option>
            <option value="whatsapp">WhatsApp</option>
            <option value="email">Email</option>
            <option value="chat">Chat</option>
          </select>
        </label>
      </div>
      <QueryView query={q} errorTitle="The opt-out list could not be loaded" empty={<Empty title="Nobody has opted out">Opt-outs (STOP replies, unsubscribes, recorded ones) appear here.</Empty>}>
        {() => (
          <>
            <table className="table" aria-label="Opted-out handles">
              <thead>
                <tr>
                  <th scope="col">Handle</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Since</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id}>
                    <td>
                      {c.handle ? c.handle.value : <span className="muted">{c.handleKind} (no contact)</span>}
                    </td>
                    <td>{c.channel}</td>
                    <td>
                      <Badge tone="bad">{c.purpose}</Badge>
                    </td>
                    <td className="nowrap">{formatTime(c.recordedAt)}</td>
                    <td className="small">
                      {c.source} <span className="muted">{c.recordedBy}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {q.hasNextPage && (
              <div className="card-footer">
                <button type="button" className="btn btn-small" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
                  Load more opt-outs
                </button>
              </div>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}
