import { createContext, createElement, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Contact, Conversation, Message, SwitchboardClient } from './client.ts';

/** The client the kit's hooks and components use: <SwitchboardProvider client={…}>. */
const ClientContext = createContext<SwitchboardClient | null>(null);

export function SwitchboardProvider({ client, children }: { client: SwitchboardClient; children?: ReactNode }) {
  return createElement(ClientContext.Provider, { value: client }, children);
}

export function useSwitchboardClient(): SwitchboardClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('Wrap the UI kit in <SwitchboardProvider client={new SwitchboardClient({ token })}>.');
  return c;
}

export interface Loadable<T> {
  data: T;
  loading: boolean;
  error: Error | null;
  reload: () => void;
}

/** Conversations the token can see (the server applies its metadata filter), newest activity first, refreshed every refreshMs. */
export function useConversations(q: { status?: string; metadata?: Record<string, string> } = {}, refreshMs = 15_000): Loadable<Conversation[]> {
  const client = useSwitchboardClient();
  const [data, setData] = useState<Conversation[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(q);
  useEffect(() => {
    let live = true;
    client
      .listConversations({ ...q, limit: 100, order: 'last_activity' })
      .then((p) => live && (setData(p.data), setError(null)))
      .catch((e: Error) => live && setError(e))
      .finally(() => live && setLoading(false));
    const t = setInterval(() => setTick((n) => n + 1), refreshMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [client, key, tick, refreshMs]);
  return { data, loading, error, reload: useCallback(() => setTick((n) => n + 1), []) };
}

const byTime = (a: Message, b: Message) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

/** The realtime stream's state: connecting (first time), live, or reconnecting after a drop. */
export type Connection = 'connecting' | 'live' | 'reconnecting';

/** One conversation and its messages (oldest first), kept live over /v1/realtime. */
export function useConversation(
  conversationId: string | null,
): Loadable<{ conversation: Conversation | null; messages: Message[] }> & { live: boolean; connection: Connection; upsert: (m: Message) => void } {
  const client = useSwitchboardClient();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [tick, setTick] = useState(0);
  const upsert = useCallback((m: Message) => setMessages((all) => [...all.filter((x) => x.id !== m.id), m].sort(byTime)), []);
  useEffect(() => {
    setConversation(null);
    setMessages([]);
    setConnection('connecting');
    if (!conversationId) return;
    let alive = true;
    setLoading(true);
    Promise.all([client.getConversation(conversationId), client.listMessages(conversationId, { limit: 100 })])
      .then(([c, page]) => {
        if (!alive) return;
        setConversation(c);
        setMessages((cur) => [...new Map([...page.data, ...cur].map((m) => [m.id, m])).values()].sort(byTime));
        setError(null);
      })
      .catch((e: Error) => alive && setError(e))
      .finally(() => alive && setLoading(false));
    const stop = client.subscribe(
      conversationId,
      (e) => {
        // Only message.created carries the whole message; other message.* events name it by id
        // (message.enriched: {message: {id}}) or carry a change (message.status_changed).
        if (e.type === 'message.created' && e.data.message) upsert(e.data.message);
        else if (e.type === 'message.status_changed' && typeof e.data.messageId === 'string' && typeof e.data.to === 'string') {
          const { messageId, to } = e.data;
          setMessages((all) => all.map((m) => (m.id === messageId ? { ...m, status: to } : m)));
        }
      },
      setConnection,
    );
    return () => {
      alive = false;
      stop();
    };
  }, [client, conversationId, tick, upsert]);
  return { data: { conversation, messages }, loading, error, live: connection === 'live', connection, upsert, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Sends a reply in a conversation; the sent message is returned (and arrives over realtime too). */
export function useSendMessage(conversationId: string | null) {
  const client = useSwitchboardClient();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const send = useCallback(
    async (body: string, metadata?: Record<string, unknown>): Promise<Message | null> => {
      if (!conversationId || !body.trim()) return null;
      setSending(true);
      setError(null);
      try {
        return await client.sendMessage(conversationId, body.trim(), metadata);
      } catch (e) {
        setError(e as Error);
        return null;
      } finally {
        setSending(false);
      }
    },
    [client, conversationId],
  );
  return { send, sending, error };
}

/** Contacts already asked for, per client: a list of conversations names each contact once. A failure is forgotten (asked again next time). */
const contacts = new WeakMap<SwitchboardClient, Map<string, Promise<Contact>>>();

/** A contact (name, handles) by id; null while loading, without an id, or when it cannot be read (the error says why). */
export function useContact(contactId: string | null | undefined): { data: Contact | null; error: Error | null } {
  const client = useSwitchboardClient();
  const [state, setState] = useState<{ id: string | null; data: Contact | null; error: Error | null }>({ id: null, data: null, error: null });
  useEffect(() => {
    if (!contactId) return;
    let cache = contacts.get(client);
    if (!cache) contacts.set(client, (cache = new Map()));
    let pending = cache.get(contactId);
    if (!pending) {
      pending = client.getContact(contactId);
      cache.set(contactId, pending);
      pending.catch(() => cache!.delete(contactId));
    }
    let alive = true;
    pending.then((c) => alive && setState({ id: contactId, data: c, error: null })).catch((e: Error) => alive && setState({ id: contactId, data: null, error: e }));
    return () => {
      alive = false;
    };
  }, [client, contactId]);
  return state.id === contactId ? { data: state.data, error: state.error } : { data: null, error: null };
}
