import { useEffect, useRef, useState, type FormEvent } from 'react';
import { linkify } from '../src/linkify.ts';
import type { Conversation, Message } from './client.ts';
import { useContact, useConversation, useConversations, useSendMessage, type Connection } from './hooks.ts';

/**
 * The UI kit's components: unstyled (semantic markup, sb-* class names and data-* attributes to
 * style), with an optional theme (kit/theme.css) that matches the widget's --sb-* properties.
 * Customer text is rendered as text; only http(s) links become links (rel="noopener noreferrer").
 */
export function MessageText({ body }: { body: string | null }) {
  return (
    <>
      {linkify(body ?? '').map((p, i) =>
        p.href ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer">
            {p.text}
          </a>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

const when = (iso: string) => {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }) : d.toLocaleDateString();
};

/** A conversation's label: its subject, else its segment (property · unit · job · site), else its channel. */
export function conversationLabel(c: Conversation): string {
  const seg = ['property', 'unit', 'job', 'site'].map((k) => c.metadata?.[k]).filter((v) => typeof v === 'string' || typeof v === 'number');
  return c.subject || (seg.length ? seg.join(' · ') : c.channel);
}

export function ConversationList(props: { selectedId?: string | null; onSelect?: (c: Conversation) => void; status?: string; label?: string }) {
  const { data, loading, error } = useConversations(props.status ? { status: props.status } : {});
  return (
    <nav className="sb-conversation-list" aria-label={props.label ?? 'Conversations'} data-loading={loading || undefined}>
      {error && <p role="alert" className="sb-error">{error.message}</p>}
      {!loading && !error && data.length === 0 && <p className="sb-empty">No conversations yet.</p>}
      <ul>
        {data.map((c) => (
          <li key={c.id}>
            <ConversationRow conversation={c} selected={props.selectedId === c.id} onSelect={props.onSelect} />
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * One row: who (the contact's name, else the conversation's label), what (the last message's
 * first words, "You: " when it was a reply) and when, so two threads of one unit tell apart.
 */
function ConversationRow({ conversation: c, selected, onSelect }: { conversation: Conversation; selected: boolean; onSelect?: (c: Conversation) => void }) {
  const contact = useContact(c.contactId);
  const label = conversationLabel(c);
  const who = contact.data?.name ?? label;
  const last = c.lastMessage;
  const preview = last ? `${last.direction === 'outbound' ? 'You: ' : ''}${last.body ?? (last.hasMedia ? 'Attachment' : '')}` : '';
  const at = last?.createdAt ?? c.lastMessageAt;
  return (
    <button type="button" className="sb-conversation-item" aria-current={selected ? 'true' : undefined} data-conversation-id={c.id} onClick={() => onSelect?.(c)}>
      <span className="sb-conversation-head">
        <span className="sb-conversation-title">{who}</span>
        <time dateTime={at}>{when(at)}</time>
      </span>
      {preview && <span className="sb-conversation-preview">{preview}</span>}
      <span className="sb-conversation-meta">
        {who !== label && <span className="sb-conversation-segment">{label}</span>}
        <span className="sb-channel" data-channel={c.channel}>{c.channel}</span>
      </span>
    </button>
  );
}

export function ConversationView(props: { conversationId: string | null; composer?: boolean }) {
  const { data, loading, error, live, connection, upsert } = useConversation(props.conversationId);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [data.messages.length]);
  if (!props.conversationId) return <section className="sb-conversation-view sb-empty">Select a conversation.</section>;
  return (
    <section className="sb-conversation-view" aria-label={data.conversation ? conversationLabel(data.conversation) : 'Conversation'} data-live={live || undefined}>
      <ConnectionStatus connection={connection} />
      {error && <p role="alert" className="sb-error">{error.message}</p>}
      <div className="sb-messages" role="log" aria-live="polite" aria-busy={loading}>
      <ol className="sb-message-list">
        {data.messages.map((m: Message) => (
          <li key={m.id} className="sb-message" data-direction={m.direction} data-status={m.status} data-message-id={m.id}>
            <div className="sb-bubble"><MessageText body={m.body} /></div>
            <div className="sb-message-meta">
              {typeof m.metadata?.authorName === 'string' ? `${m.metadata.authorName} · ` : ''}
              <time dateTime={m.createdAt}>{when(m.createdAt)}</time>
              {m.direction === 'outbound' ? ` · ${m.status}` : ''}
            </div>
          </li>
        ))}
      </ol>
      <div ref={end} />
      </div>
      {props.composer !== false && <Composer conversationId={props.conversationId} onSent={upsert} />}
    </section>
  );
}

const CONNECTION_TEXT: Record<Connection, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

/** Whether new messages arrive live: a dot and a word, announced politely when it changes. */
export function ConnectionStatus({ connection }: { connection: Connection }) {
  return (
    <p className="sb-connection" role="status" data-connection={connection}>
      <span className="sb-connection-dot" aria-hidden="true" />
      {CONNECTION_TEXT[connection]}
    </p>
  );
}

export function Composer(props: { conversationId: string | null; onSent?: (m: Message) => void; authorName?: string; placeholder?: string }) {
  const { send, sending, error } = useSendMessage(props.conversationId);
  const [draft, setDraft] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const m = await send(draft, props.authorName ? { authorName: props.authorName } : undefined);
    if (m) {
      setDraft('');
      props.onSent?.(m);
    }
  };
  return (
    <form className="sb-composer" onSubmit={submit} aria-busy={sending}>
      <label className="sb-sr" htmlFor={`sb-composer-${props.conversationId}`}>Reply</label>
      <textarea
        id={`sb-composer-${props.conversationId}`}
        value={draft}
        rows={2}
        placeholder={props.placeholder ?? 'Write a reply…'}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) void submit(e);
        }}
      />
      <button type="submit" disabled={sending || !draft.trim()}>Send</button>
      {error && <p role="alert" className="sb-error">{error.message}</p>}
    </form>
  );
}

export function ContactCard(props: { contactId: string | null }) {
  const { data: contact, error } = useContact(props.contactId);
  if (!props.contactId) return null;
  return (
    <aside className="sb-contact-card" aria-label="Contact">
      {error && <p role="alert" className="sb-error">{error.message}</p>}
      {contact && (
        <>
          <p className="sb-contact-name">{contact.name ?? 'Unnamed contact'}</p>
          <ul className="sb-contact-handles">
            {contact.handles.filter((h) => !h.value.startsWith('visitor:')).map((h) => (
              <li key={`${h.kind}:${h.value}`} data-kind={h.kind}>
                <span className="sb-handle-kind">{h.kind.replace('_', ' ')}</span> {h.value}
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
