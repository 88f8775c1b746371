import { useState } from 'react';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { ArchivedRequest } from '../../api/types.ts';
import { Badge, Empty, ErrorNotice, QueryView, formatTime } from '../../ui/states.tsx';
import { connectorKeys } from './queries.ts';

/** Replayed a few at a time, so a long batch shows its progress and can be followed request by request. */
const SLICE = 5;
const tone = (s: ArchivedRequest['status']) => (s === 'processed' ? 'good' : s === 'failed' ? 'bad' : s === 'unmatched' ? 'warn' : 'neutral');

interface Progress {
  done: number;
  total: number;
  outcomes: Record<string, number>;
  running: boolean;
}

/**
 * The raw inbound archive: every verified provider request, newest first; failed and unmatched
 * ones can be replayed (one, or all of them as a batch with progress). Bodies stay on the server.
 */
export function ArchiveCard({ id, writable }: { id: string; writable: boolean }) {
  const qc = useQueryClient();
  const [failedOnly, setFailedOnly] = useState(false);
  const archive = useInfiniteQuery({
    queryKey: connectorKeys.archive(id, failedOnly),
    queryFn: ({ pageParam, signal }) => get<Page<ArchivedRequest>>(`/v1/connections/${id}/archive`, { limit: 25, ...(failedOnly ? { failed: 'true' } : {}), ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['connections', id] });

  /** Every failed / unmatched request (all pages), then replayed SLICE at a time. */
  const replay = async (only?: string) => {
    setError(null);
    try {
      let ids: string[] = only ? [only] : [];
      for (let cursor: string | null = ''; !only && cursor !== null; ) {
        const page: Page<ArchivedRequest> = await get<Page<ArchivedRequest>>(`/v1/connections/${id}/archive`, { failed: 'true', limit: 200, ...(cursor ? { cursor } : {}) });
        ids = ids.concat(page.data.map((r) => r.id));
        cursor = page.nextCursor;
      }
      const outcomes: Record<string, number> = {};
      setProgress({ done: 0, total: ids.length, outcomes, running: true });
      for (let i = 0; i < ids.length; i += SLICE) {
        const out = await post<{ data: ArchivedRequest[] }>(`/v1/connections/${id}/replay`, { rawInboundIds: ids.slice(i, i + SLICE) });
        for (const r of out.data) outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
        setProgress({ done: Math.min(i + SLICE, ids.length), total: ids.length, outcomes: { ...outcomes }, running: true });
      }
      setProgress({ done: ids.length, total: ids.length, outcomes, running: false });
    } catch (err) {
      setError(err);
      setProgress((p) => p && { ...p, running: false });
    } finally {
      void refresh();
    }
  };

  return (
    <section className="card" aria-labelledby="archive-title">
      <div className="card-head">
        <h2 id="archive-title" className="card-title">
          Inbound archive
        </h2>
        <label className="inline-check">
          <input type="checkbox" checked={failedOnly} onChange={(e) => setFailedOnly(e.target.checked)} /> Failed only
        </label>
        {writable && (
          <button type="button" className="btn" disabled={progress?.running} onClick={() => void replay()}>
            Replay all failed
          </button>
        )}
      </div>
      {progress && (
        <div role="status" aria-label="Replay progress" className="replay-progress">
          <progress max={Math.max(progress.total, 1)} value={progress.done} aria-label="Replayed requests" />
          <span>
            {progress.total === 0
              ? 'Nothing to replay.'
              : `${progress.running ? 'Replaying' : 'Replayed'} ${progress.done} of ${progress.total}: ${Object.entries(progress.outcomes)
                  .map(([k, n]) => `${n} ${k}`)
                  .join(', ') || '…'}`}
          </span>
        </div>
      )}
      {error !== null && <ErrorNotice error={error} title="The replay stopped" />}
      <QueryView query={archive} errorTitle="The archive could not be loaded" empty={<Empty title={failedOnly ? 'No failed requests' : 'No requests received yet'}>Requests the provider sends to the inbound URL are kept here, sealed, for replay.</Empty>}>
        {(data) => (
          <>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Received</th>
                  <th scope="col">Status</th>
                  <th scope="col">Messages</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.pages.flatMap((p) => p.data).map((r) => (
                  <tr key={r.id} aria-label={`Request ${r.status} ${formatTime(r.receivedAt)}`}>
                    <td>{formatTime(r.receivedAt)}</td>
                    <td>
                      <Badge tone={tone(r.status)}>{r.status}</Badge>
                      {r.error && <div className="small muted archive-error">{r.error}</div>}
                    </td>
                    <td>{r.messageIds.length}</td>
                    <td>
                      {writable && (r.status === 'failed' || r.status === 'unmatched') && (
                        <button type="button" className="btn btn-small" disabled={progress?.running} onClick={() => void replay(r.id)}>
                          Replay
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {archive.hasNextPage && (
              <button type="button" className="btn btn-small load-more" disabled={archive.isFetchingNextPage} onClick={() => void archive.fetchNextPage()}>
                Load more
              </button>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}
