import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client.ts';
import type { ConnectionHealth } from '../../api/types.ts';
import { Badge, QueryView, formatTime, relativeTime } from '../../ui/states.tsx';
import { connectorKeys } from './queries.ts';

const when = (iso: string | null) => (iso ? `${relativeTime(iso)} (${formatTime(iso)})` : 'never');

/** Last inbound request / outbound message, error counts of the last 24 h, the poller and the OAuth grant. */
export function ActivityCard({ id }: { id: string }) {
  const health = useQuery({ queryKey: connectorKeys.health(id), queryFn: ({ signal }) => get<ConnectionHealth>(`/v1/connections/${id}/activity`, undefined, signal), refetchInterval: 10_000 });
  return (
    <section className="card" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <QueryView query={health} errorTitle="The activity could not be loaded">
        {(h) => (
          <dl className="kv">
            <div className="kv-row">
              <dt>Last inbound</dt>
              <dd>{when(h.lastInboundAt)}</dd>
            </div>
            <div className="kv-row">
              <dt>Last outbound</dt>
              <dd>{when(h.lastOutboundAt)}</dd>
            </div>
            <div className="kv-row">
              <dt>Errors (24 h)</dt>
              <dd>
                <Badge tone={h.errors.inboundFailed24h ? 'bad' : 'good'}>{`${h.errors.inboundFailed24h} inbound failed`}</Badge>{' '}
                <Badge tone={h.errors.inboundUnmatched24h ? 'warn' : 'good'}>{`${h.errors.inboundUnmatched24h} unmatched`}</Badge>{' '}
                <Badge tone={h.errors.outboundFailed24h ? 'bad' : 'good'}>{`${h.errors.outboundFailed24h} sends failed`}</Badge>
              </dd>
            </div>
            {h.poller && (
              <div className="kv-row">
                <dt>Poller</dt>
                <dd>
                  <Badge tone={h.poller.healthy ? 'good' : 'bad'}>{h.poller.healthy ? 'healthy' : `${h.poller.failures} failures`}</Badge> last run {when(h.poller.lastRunAt)}, next {formatTime(h.poller.nextRunAt)}
                  <div className="small muted">
                    cursor <code>{h.poller.cursor ?? '—'}</code>
                    {h.poller.lastError && <> · {h.poller.lastError}</>}
                  </div>
                </dd>
              </div>
            )}
            {h.oauth && (
              <div className="kv-row">
                <dt>Authorization</dt>
                <dd>
                  <Badge tone={h.oauth.authorized ? 'good' : 'warn'}>{h.oauth.authorized ? 'authorized' : 'not authorized'}</Badge>
                  {h.oauth.failure && <span className="small muted"> {h.oauth.failure}</span>}
                  {h.oauth.scopes.length > 0 && <div className="small muted">{h.oauth.scopes.join(' ')}</div>}
                </dd>
              </div>
            )}
          </dl>
        )}
      </QueryView>
    </section>
  );
}
