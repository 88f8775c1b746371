import { useEffect, useRef } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { patch } from '../../api/client.ts';
import type { Conversation, Message } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { Badge, Empty, ErrorNotice, formatTime, QueryView } from '../../ui/states.tsx';
import { AiInsights } from './AiInsights.tsx';
import { AssignAndTags } from './AssignAndTags.tsx';
import { Composer } from './Composer.tsx';
import { channelLabel, contactLabel, inboxKeys, useContact, useConversation, useMessages } from './queries.ts';

/**
 * One conversation: its header (status, close / reopen), assignee and tags, AI insights, the messages oldest to newest with each
 * outbound message's delivery status (kept live by InboxPage's realtime feed), and the composer.
 * Customer text is rendered as text only, never as HTML.
 */
export function Thread({ id }: { id: string }) {
  const conv = useConversation(id);
  return (
    <QueryView query={conv} errorTitle="Could not load this conversation" loadingLabel="Loading conversation…">
      {(c) => <ThreadView conv={c} />}
    </QueryView>
  );
}

function ThreadView({ conv }: { conv: Conversation }) {
  const { can } = useSession();
  const qc = useQueryClient();
  const contact = useContact(conv.contactId);
  const messages = useMessages(conv.id);
  const list = (messages.data?.pages.flatMap((p) => p.data) ?? []).slice().reverse();
  const bottom = useRef<HTMLDivElement>(null);
  const newest = list[list.length - 1]?.id;
  // Braces matter: newer Chromium returns a Promise from scrollIntoView, which React would take for a cleanup.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [newest]);
  const status = useMutation({
    mutationFn: (next: string) => patch<Conversation>(`/v1/conversations/${conv.id}`, { status: next }),
    onSuccess: (c) => {
      qc.setQueryData(inboxKeys.conversation(conv.id), c);
      void qc.invalidateQueries({ queryKey: inboxKeys.conversations });
    },
  });
  const closed = conv.status === 'closed';
  return (
    <section className="thread" aria-labelledby="thread-title">
      <header className="thread-header">
        <div>
          <h2 id="thread-title">{conv.subject || contactLabel(contact.data)}</h2>
          <div className="thread-sub">
            <Badge tone="info">{channelLabel(conv.channel)}</Badge>
            <Badge tone={closed ? 'neutral' : 'good'}>{conv.status}</Badge>
            {conv.senderAddress && <span className="muted small">via {conv.senderAddress}</span>}
          </div>
        </div>
        {can('conversations:write') && (
          <button type="button" className="btn btn-small" disabled={status.isPending} onClick={() => status.mutate(closed ? 'open' : 'closed')}>
            {closed ? 'Reopen' : 'Close'}
          </button>
        )}
      </header>
      {status.isError && <ErrorNotice error={status.error} title="Could not change the status" />}
      <AssignAndTags conv={conv} />
      <AiInsights conversationId={conv.id} latestMessageId={newest} />
      {/* Focusable so the keyboard scrolls the history (arrow keys, Page Up/Down) like a mouse wheel. */}
      <div className="thread-messages" tabIndex={0} role="region" aria-label="Message history">
        {messages.hasNextPage && (
          <button type="button" className="btn btn-small thread-older" disabled={messages.isFetchingNextPage} onClick={() => void messages.fetchNextPage()}>
            {messages.isFetchingNextPage ? 'Loading…' : 'Load earlier messages'}
          </button>
        )}
        <QueryView query={messages} errorTitle="Could not load messages" loadingLabel="Loading messages…" empty={<Empty title="No messages yet" />}>
          {() => (
            <ol className="messages" aria-label="Messages">
              {list.map((m) => (
                <MessageItem key={m.id} m={m} />
              ))}
            </ol>
          )}
        </QueryView>
        <div ref={bottom} />
      </div>
      {can('messages:send') && <Composer conversation={conv} contact={contact.data} />}
    </section>
  );
}

const STATUS_TONE: Record<string, 'neutral' | 'good' | 'warn' | 'bad' | 'info'> = {
  queued: 'neutral',
  sent: 'info',
  delivered: 'good',
  read: 'good',
  failed: 'bad',
  undelivered: 'bad',
};

/** Only http(s) media links: a customer-supplied javascript: URL must never become a link. */
const safeUrl = (u: string) => (/^https?:\/\//i.test(u) ? u : null);

function MessageItem({ m }: { m: Message }) {
  const out = m.direction === 'outbound';
  return (
    <li className={out ? 'message message-out' : 'message message-in'}>
      <div className="message-bubble">
        {m.subject && <div className="message-subject">{m.subject}</div>}
        {m.body && <div className="message-body">{m.body}</div>}
        {m.media.map((media, i) => {
          const url = safeUrl(media.url);
          return url ? (
            <a key={i} className="message-media" href={url} target="_blank" rel="noopener noreferrer">
              Attachment {i + 1}
              {media.contentType ? ` (${media.contentType})` : ''}
            </a>
          ) : null;
        })}
      </div>
      <div className="message-meta">
        <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
        <span>{channelLabel(m.channel)}</span>
        {out && (
          <span className="message-status" data-status={m.status}>
            <Badge tone={STATUS_TONE[m.status] ?? 'neutral'}>{m.status}</Badge>
          </span>
        )}
      </div>
      {m.errorCode && (
        <div className="message-error" role="note">
          <code>{m.errorCode}</code> {m.errorMessage}
        </div>
      )}
    </li>
  );
}
