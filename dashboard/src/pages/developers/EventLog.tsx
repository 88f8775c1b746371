import { useInfiniteQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { EngineEvent } from '../../api/types.ts';
import { Empty, QueryView, formatTime } from '../../ui/states.tsx';

/** The org's event feed, newest first (GET /v1/sync?order=desc), older pages on demand. */
export function EventLog() {
  const q = useInfiniteQuery({
    queryKey: ['sync-log'],
    initialPageParam: '',
    queryFn: ({ pageParam }) => get<{ events: EngineEvent[]; nextCursor: string; hasMore: boolean }>('/v1/sync', { order: 'desc', limit: 25, cursor: pageParam || undefined }),
    getNextPageParam: (last) => (last.hasMore ? last.nextCursor : undefined),
  });
  const events = q.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <section className="card card-flush section-gap" aria-labelledby="events-heading">
      <h2 id="events-heading" className="card-title">
        Event log
      </h2>
      <QueryView query={q} errorTitle="The event log could not be loaded" empty={<Empty title="No events yet" />}>
        {() => (
          <>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Type</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Data</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">{formatTime(e.createdAt)}</td>
                    <td>
                      <code>{e.type}</code>
                    </td>
                    <td className="small mono">{e.subjectId ?? '—'}</td>
                    <td>
                      <details>
                        <summary>JSON</summary>
                        <pre className="mono would">{JSON.stringify(e.data, null, 2)}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {q.hasNextPage && (
              <div className="card-footer">
                <button type="button" className="btn btn-small" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
                  {q.isFetchingNextPage ? 'Loading…' : 'Load older events'}
                </button>
              </div>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}
