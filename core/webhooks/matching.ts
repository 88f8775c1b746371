import type { SubscriptionFilter } from './subscriptions.ts';

/** "*" takes everything, "message.*" every type starting with "message.", anything else is exact. */
export function matchesType(patterns: string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** What a filter is tested against: the event's conversation (clear columns only, never content). */
export interface ConversationFacts {
  id: string;
  channel: string;
  metadata: Record<string, unknown>;
}

/**
 * Every given criterion must hold. A filter on conversation fields never matches an event that
 * belongs to no conversation (e.g. contact.created): the subscriber asked for one conversation's world.
 */
export function matchesFilter(filter: SubscriptionFilter, conversation: ConversationFacts | null): boolean {
  const { conversationId, channel, metadata } = filter;
  if (conversationId === undefined && channel === undefined && (!metadata || !Object.keys(metadata).length)) return true;
  if (!conversation) return false;
  if (conversationId !== undefined && conversation.id !== conversationId) return false;
  if (channel !== undefined && conversation.channel !== channel) return false;
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (conversation.metadata[k] !== v) return false;
  }
  return true;
}
