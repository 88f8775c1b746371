import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client.ts';
import type { Contact, Conversation, Message, SendVerdict } from '../../api/types.ts';
import { ErrorNotice, formatTime } from '../../ui/states.tsx';
import { channelLabel, inboxKeys, upsertMessage } from './queries.ts';

/**
 * The reply box. While the agent types, the send's own checks run as a dry run
 * (POST /v1/messages/preflight) and their verdict is shown before sending: opted out, quiet hours
 * with the time the message would leave, window closed, unregistered sender. The server stays the
 * enforcer: a send it refuses shows its error code.
 */
const HANDLE_CHANNELS: Record<string, string[]> = { phone: ['sms', 'mms', 'whatsapp'], whatsapp: ['whatsapp'], email: ['email'], app_user: ['chat'] };

function channelsFor(conv: Conversation, contact: Contact | undefined): string[] {
  const out = new Set([conv.channel]);
  for (const h of contact?.handles ?? []) for (const c of HANDLE_CHANNELS[h.kind] ?? []) out.add(c);
  return [...out];
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function Composer({ conversation, contact }: { conversation: Conversation; contact: Contact | undefined }) {
  const qc = useQueryClient();
  const ids = useId();
  const [body, setBody] = useState('');
  const [channel, setChannel] = useState(conversation.channel);
  const draft = useDebounced(body.trim(), 350);
  const request = { conversationId: conversation.id, channel, body: draft };
  const verdict = useQuery({
    queryKey: ['preflight', request],
    queryFn: () => post<SendVerdict>('/v1/messages/preflight', request),
    enabled: draft.length > 0,
    staleTime: 5_000,
  });
  const send = useMutation({
    mutationFn: () => post<Message>('/v1/messages', { conversationId: conversation.id, channel, body }),
    onSuccess: (m) => {
      setBody('');
      upsertMessage(qc, conversation.id, m.id, (known) => known ?? m);
      void qc.invalidateQueries({ queryKey: inboxKeys.messages(conversation.id) });
      void qc.invalidateQueries({ queryKey: inboxKeys.conversations });
    },
  });
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (body.trim() && !send.isPending) send.mutate();
  };
  // Enter sends from the keyboard (Shift+Enter for a new line), as in every chat inbox.
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
  };
  const v = draft && draft === body.trim() ? verdict.data : undefined;
  return (
    <form className="composer" onSubmit={submit} aria-label="Composer">
      {send.isError && <ErrorNotice error={send.error} title="Not sent" />}
      <div className="composer-verdict" role="status" aria-live="polite">
        {v && !v.allow && (
          <div className="notice notice-warn composer-refusal">
            <p className="notice-title">The send would be refused</p>
            <p>
              <code className="code">{v.code}</code> {v.message}
            </p>
          </div>
        )}
        {v?.allow && v.deferredUntil && (
          <p className="muted small">Quiet hours: this message would be held until {formatTime(v.deferredUntil)}.</p>
        )}
        {v?.allow && !v.deferredUntil && <p className="muted small">Ready to send on {channelLabel(channel)}.</p>}
        {verdict.isError && <ErrorNotice error={verdict.error} title="Could not check this send" />}
      </div>
      <div className="composer-row">
        <label className="sr-only" htmlFor={`${ids}-channel`}>
          Channel
        </label>
        <select id={`${ids}-channel`} value={channel} onChange={(e) => setChannel(e.target.value)}>
          {channelsFor(conversation, contact).map((c) => (
            <option key={c} value={c}>
              {channelLabel(c)}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor={`${ids}-body`}>
          Reply
        </label>
        <textarea
          id={`${ids}-body`}
          rows={2}
          placeholder="Write a reply…"
          aria-describedby={`${ids}-hint`}
          value={body}
          maxLength={10_000}
          onChange={(e) => setBody(e.target.value)}
          onKeyDown={onKey}
        />
        <button type="submit" className="btn btn-primary" disabled={!body.trim() || send.isPending}>
          {send.isPending ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p className="composer-hint" id={`${ids}-hint`}>
        Enter sends, Shift+Enter starts a new line.
      </p>
    </form>
  );
}
