import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Conversation } from '../../api/types.ts';
import { Link, useLocation, useSearchParam } from '../../app/router.tsx';
import { Badge, Empty, Loading, QueryView, relativeTime } from '../../ui/states.tsx';
import { channelLabel, CHANNEL_LABELS, contactLabel, useContact, useConversations } from './queries.ts';

/**
 * The conversation list: filters in the URL (shareable, kept on reload), pages loaded as the list
 * scrolls, and only the rows in view rendered (virtualized), so a long inbox stays smooth.
 */
const ROW = 68;

export function ConversationList({ selected }: { selected: string | null }) {
  const [status, setStatus] = useSearchParam('status');
  const [channel, setChannel] = useSearchParam('channel');
  const q = useConversations({ status, channel });
  const rows = q.data?.pages.flatMap((p) => p.data) ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 8 });
  const items = v.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 5 && q.hasNextPage && !q.isFetchingNextPage) void q.fetchNextPage();
  }, [last?.index, rows.length, q.hasNextPage, q.isFetchingNextPage]);

  return (
    <section className="inbox-list" aria-label="Conversations">
      <div className="inbox-filters">
        <label className="sr-only" htmlFor="filter-status">
          Status
        </label>
        <select id="filter-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All statuses</option>
          <option value="open">Open</option>
          <option value="snoozed">Snoozed</option>
          <option value="closed">Closed</option>
        </select>
        <label className="sr-only" htmlFor="filter-channel">
          Channel
        </label>
        <select id="filter-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
          <option value="">All channels</option>
          {Object.entries(CHANNEL_LABELS).map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <QueryView
        query={q}
        errorTitle="Could not load conversations"
        loadingLabel="Loading conversations…"
        empty={
          <Empty title={status || channel ? 'No conversation matches' : 'No conversations yet'}>
            {status || channel ? 'Clear a filter to see more.' : 'Messages your connections receive show up here as they arrive.'}
          </Empty>
        }
      >
        {() => (
          <div className="inbox-scroll" ref={scroller}>
            <ul className="inbox-rows" style={{ height: v.getTotalSize() }}>
              {items.map((item) => (
                <li key={rows[item.index]!.id} className="inbox-row-slot" style={{ transform: `translateY(${item.start}px)`, height: ROW }}>
                  <ConversationRow c={rows[item.index]!} active={rows[item.index]!.id === selected} />
                </li>
              ))}
            </ul>
            {q.isFetchingNextPage && <Loading label="Loading more…" />}
          </div>
        )}
      </QueryView>
    </section>
  );
}

function ConversationRow({ c, active }: { c: Conversation; active: boolean }) {
  const contact = useContact(c.contactId);
  const q = useLocation().search.toString();
  const search = q ? `?${q}` : '';
  return (
    <Link to={`/inbox/${c.id}${search}`} className={active ? 'inbox-row active' : 'inbox-row'} aria-current={active ? 'true' : undefined}>
      <span className="inbox-row-top">
        <span className="inbox-row-name">{c.subject || contactLabel(contact.data)}</span>
        <time className="inbox-row-time" dateTime={c.lastMessageAt}>
          {relativeTime(c.lastMessageAt)}
        </time>
      </span>
      <span className="inbox-row-bottom">
        <Badge tone="info">{channelLabel(c.channel)}</Badge>
        {c.status !== 'open' && <Badge>{c.status}</Badge>}
      </span>
    </Link>
  );
}
