import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Conversation } from '../../api/types.ts';
import { Link, useLocation, useSearchParam } from '../../app/router.tsx';
import { Badge, Empty, Loading, QueryView, relativeTime } from '../../ui/states.tsx';
import { useSession } from '../../app/session.tsx';
import { assigneeLabel, channelLabel, CHANNEL_LABELS, contactLabel, METADATA_KEYS, useAssignees, useContact, useConversations } from './queries.ts';

/**
 * The conversation list, newest activity first: filters in the URL (shareable, kept on reload),
 * pages loaded as the list scrolls, and only the rows in view rendered (virtualized), so a long
 * inbox stays smooth. Each row shows the last message's first line, the tags and the assignee.
 */
const ROW = 86;

export function ConversationList({ selected }: { selected: string | null }) {
  const [status, setStatus] = useSearchParam('status');
  const [channel, setChannel] = useSearchParam('channel');
  const [assignee, setAssignee] = useSearchParam('assignee');
  const [tag, setTag] = useSearchParam('tag');
  const [metaKey, setMetaKey] = useSearchParam('metaKey');
  const [metaValue, setMetaValue] = useSearchParam('metaValue');
  const me = useSession().session.user.id;
  const assignees = useAssignees().data?.data ?? [];
  const q = useConversations({ status, channel, assignee, tag, metaKey: metaKey || 'unit', metaValue });
  const filtered = !!(status || channel || assignee || tag || metaValue);
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
        <label className="sr-only" htmlFor="filter-assignee">
          Filter by assignee
        </label>
        <select id="filter-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
          <option value="">Anyone</option>
          <option value={me}>Assigned to me</option>
          <option value="none">Unassigned</option>
          {assignees
            .filter((a) => a.id !== me)
            .map((a) => (
              <option key={a.id} value={a.id}>
                {assigneeLabel(a)}
              </option>
            ))}
        </select>
      </div>
      <div className="inbox-filters inbox-filters-text">
        <FilterInput id="filter-tag" label="Tag" placeholder="Tag" value={tag} onCommit={setTag} />
        <label className="sr-only" htmlFor="filter-meta-key">
          Metadata field
        </label>
        <select id="filter-meta-key" value={metaKey || 'unit'} onChange={(e) => setMetaKey(e.target.value)}>
          {METADATA_KEYS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <FilterInput id="filter-meta-value" label="Metadata value" placeholder="is…" value={metaValue} onCommit={setMetaValue} />
      </div>
      <QueryView
        query={q}
        errorTitle="Could not load conversations"
        loadingLabel="Loading conversations…"
        empty={
          <Empty title={filtered ? 'No conversation matches' : 'No conversations yet'}>
            {filtered ? 'Clear a filter to see more.' : 'Messages your connections receive show up here as they arrive.'}
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

/** A text filter applied on Enter or when focus leaves it (not on every keystroke: each value is a query). */
function FilterInput({ id, label, placeholder, value, onCommit }: { id: string; label: string; placeholder: string; value: string; onCommit: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const commit = () => draft.trim() !== value && onCommit(draft.trim());
  return (
    <>
      <label className="sr-only" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        type="search"
        placeholder={placeholder}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </>
  );
}

function ConversationRow({ c, active }: { c: Conversation; active: boolean }) {
  const contact = useContact(c.contactId);
  const assignee = useAssignees().data?.data.find((a) => a.id === c.assigneeId);
  const last = c.lastMessage;
  const preview = last ? (last.body ?? (last.hasMedia ? 'Attachment' : '')) : '';
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
      <span className="inbox-row-preview">
        {last?.direction === 'outbound' && <span className="muted">You: </span>}
        {preview}
      </span>
      <span className="inbox-row-bottom">
        <Badge tone="info">{channelLabel(c.channel)}</Badge>
        {c.status !== 'open' && <Badge>{c.status}</Badge>}
        {c.tags.slice(0, 3).map((t) => (
          <Badge key={t}>#{t}</Badge>
        ))}
        {c.assigneeId && <span className="inbox-row-assignee">→ {assignee ? assigneeLabel(assignee) : 'assigned'}</span>}
      </span>
    </Link>
  );
}
