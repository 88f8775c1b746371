import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import type { AuditEntry } from '../../api/admin-types.ts';
import { Badge, Empty, ErrorNotice, QueryView, formatTime } from '../../ui/states.tsx';

interface Verification {
  ok: boolean;
  checked: number;
  unsealed: number;
  firstBad?: { position: number; reason: string; message: string } | null;
}

/** The audit trail, newest first, and "Verify chain": the server recomputes every hash and names the first bad entry. */
export function AuditLog() {
  const q = useInfiniteQuery({
    queryKey: ['audit'],
    initialPageParam: '',
    queryFn: ({ pageParam }) => get<Page<AuditEntry>>('/v1/audit', { limit: 25, cursor: pageParam || undefined }),
    getNextPageParam: (last) => (last.hasMore ? (last.nextCursor ?? undefined) : undefined),
  });
  const verify = useMutation({ mutationFn: () => get<Verification>('/v1/audit/verify') });
  const entries = q.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="card card-flush section-gap" aria-labelledby="audit-heading">
      <div className="action-head card-title">
        <h2 id="audit-heading">Audit log</h2>
        <button type="button" className="btn btn-small" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {verify.isPending ? 'Verifying…' : 'Verify chain'}
        </button>
      </div>
      <div className="card-body">
        {verify.isError && <ErrorNotice error={verify.error} title="The chain could not be verified" />}
        {verify.data &&
          (verify.data.ok ? (
            <p className="notice notice-good" role="status">
              Chain intact: {verify.data.checked} entries checked{verify.data.unsealed ? `, ${verify.data.unsealed} not sealed yet` : ''}.
            </p>
          ) : (
            <p className="notice notice-error" role="alert">
              Chain broken at entry {verify.data.firstBad?.position}: {verify.data.firstBad?.reason} — {verify.data.firstBad?.message}
            </p>
          ))}
      </div>
      <QueryView query={q} errorTitle="The audit log could not be loaded" empty={<Empty title="No audit entries yet">Entries appear within seconds of a change, once sealed into the chain.</Empty>}>
        {() => (
          <>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id}>
                    <td>{e.position}</td>
                    <td className="nowrap">{formatTime(e.createdAt)}</td>
                    <td>
                      <Badge tone="info">{e.action}</Badge>
                    </td>
                    <td className="small">
                      {e.actor.type}
                      {e.actor.id && <div className="mono muted">{e.actor.id}</div>}
                    </td>
                    <td className="small">{e.target ? `${e.target.type} ${e.target.id ?? ''}` : '—'}</td>
                    <td className="small mono break">{Object.keys(e.details ?? {}).length ? JSON.stringify(e.details) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {q.hasNextPage && (
              <div className="card-footer">
                <button type="button" className="btn btn-small" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
                  Load older entries
                </button>
              </div>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}
