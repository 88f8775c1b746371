import { useInfiniteQuery, useQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { ApiError, get } from '../../api/client.ts';
import type { Assignee, Consent, Contact, Conversation, Enrichment, Message, Page } from '../../api/types.ts';

/**
 * The inbox's reads, one query key each, so a realtime event refreshes exactly what it touched
 * (InboxPage invalidates by these keys) and the list, thread and contact panel share one cache.
 */
export interface InboxFilters {
  status: string;
  channel: string;
  /** A user id, 'none' (unassigned) or '' (anyone). */
  assignee: string;
  tag: string;
  /** One metadata key (unit, job, site, property…) and the value it must have. */
  metaKey: string;
  metaValue: string;
}

/** The metadata keys the inbox offers to filter on (vertical apps set these; the API takes any key). */
export const METADATA_KEYS = ['unit', 'job', 'site', 'property'] as const;

export const inboxKeys = {
  conversations: ['conversations'] as const,
  conversation: (id: string) => ['conversation', id] as const,
  messages: (id: string) => ['messages', id] as const,
  contact: (id: string) => ['contact', id] as const,
  consents: (contactId: string) => ['consents', contactId] as const,
  assignees: ['assignees'] as const,
  enrichment: (id: string) => ['enrichment', id] as const,
};

const PAGE = 50;

export function useConversations(f: InboxFilters) {
  return useInfiniteQuery({
    queryKey: [...inboxKeys.conversations, f],
    queryFn: ({ pageParam, signal }) =>
      get<Page<Conversation>>(
        '/v1/conversations',
        {
          order: 'last_activity',
          status: f.status,
          channel: f.channel,
          assigneeId: f.assignee,
          tag: f.tag.trim(),
          metadata: f.metaKey && f.metaValue.trim() ? { [f.metaKey]: f.metaValue.trim() } : undefined,
          limit: PAGE,
          cursor: pageParam,
        },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.hasMore ? (last.nextCursor ?? undefined) : undefined),
  });
}

export const useConversation = (id: string) =>
  useQuery({ queryKey: inboxKeys.conversation(id), queryFn: ({ signal }) => get<Conversation>(`/v1/conversations/${id}`, undefined, signal) });

/** Newest first from the API, one page at a time (older pages on demand). */
export function useMessages(conversationId: string) {
  return useInfiniteQuery({
    queryKey: inboxKeys.messages(conversationId),
    queryFn: ({ pageParam, signal }) => get<Page<Message>>(`/v1/conversations/${conversationId}/messages`, { limit: PAGE, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.hasMore ? (last.nextCursor ?? undefined) : undefined),
  });
}

/** The conversation's newest AI enrichment; null when it has none yet (the API's 404). */
export const useEnrichment = (conversationId: string) =>
  useQuery({
    queryKey: inboxKeys.enrichment(conversationId),
    queryFn: async ({ signal }) => {
      try {
        return await get<Enrichment>(`/v1/conversations/${conversationId}/enrichment`, undefined, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });

export const useContact = (id: string | null) =>
  useQuery({
    queryKey: inboxKeys.contact(id ?? ''),
    queryFn: ({ signal }) => get<Contact>(`/v1/contacts/${id}`, undefined, signal),
    enabled: !!id,
    staleTime: 60_000,
  });

export const useConsents = (contactId: string | null) =>
  useQuery({
    queryKey: inboxKeys.consents(contactId ?? ''),
    queryFn: ({ signal }) => get<{ current: Consent[] }>('/v1/consents', { contactId }, signal),
    enabled: !!contactId,
  });

/** The users a conversation can be assigned to (names for the list, the filter and the picker). */
export const useAssignees = () =>
  useQuery({ queryKey: inboxKeys.assignees, queryFn: ({ signal }) => get<{ data: Assignee[] }>('/v1/assignees', undefined, signal), staleTime: 60_000 });

export const assigneeLabel = (a: Assignee | undefined) => a?.name || a?.email || 'Someone';

/** What to call a contact: their name, else their first handle. */
export const contactLabel = (c: Contact | undefined) => c?.name || c?.handles[0]?.value || 'Unknown contact';

export const CHANNEL_LABELS: Record<string, string> = { sms: 'SMS', mms: 'MMS', whatsapp: 'WhatsApp', email: 'Email', chat: 'Chat' };
export const channelLabel = (c: string) => CHANNEL_LABELS[c] ?? c;

type MessagePages = InfiniteData<Page<Message>, string | undefined>;

/**
 * Puts a message into a loaded thread at once (the send's answer, a status from the realtime
 * frame), so each status is on screen the moment it is known; a refetch then confirms it.
 */
export function upsertMessage(qc: QueryClient, conversationId: string, id: string, change: (m: Message | undefined) => Message | undefined) {
  qc.setQueryData<MessagePages>(inboxKeys.messages(conversationId), (data) => {
    if (!data) return data;
    let found = false;
    const pages = data.pages.map((p) => ({
      ...p,
      data: p.data.map((m) => {
        if (m.id !== id) return m;
        found = true;
        return change(m) ?? m;
      }),
    }));
    const added = found ? undefined : change(undefined);
    if (added && pages[0]) pages[0] = { ...pages[0], data: [added, ...pages[0].data] };
    return { ...data, pages };
  });
}
