import type { EngineEvent } from '../events/events.ts';
import type { MediaItem, MessageView } from '../messages/views.ts';

/**
 * What a visitor may see of a message: its words and who wrote them. Never the org's metadata,
 * contact ids, provider ids, delivery errors or the connection: the widget runs in a stranger's
 * browser.
 */
export interface VisitorMessage {
  id: string;
  object: 'message';
  conversationId: string;
  author: 'visitor' | 'agent';
  /** An agent reply's author, when the sender named one (message metadata authorName). */
  authorName: string | null;
  body: string | null;
  media: MediaItem[];
  createdAt: string;
}

export function visitorMessageView(m: MessageView): VisitorMessage {
  return {
    id: m.id,
    object: 'message',
    conversationId: m.conversationId,
    author: m.direction === 'inbound' ? 'visitor' : 'agent',
    authorName: m.direction === 'outbound' && typeof m.metadata?.authorName === 'string' ? m.metadata.authorName.slice(0, 80) : null,
    body: m.body,
    media: m.media,
    createdAt: m.createdAt,
  };
}

/**
 * The realtime stream of a widget session: new messages of its conversation only, reduced to the
 * visitor view. Other events (status changes, conversation metadata, contact updates) stay private.
 */
export function visitorEvent(e: EngineEvent): EngineEvent | null {
  const message = e.data?.message as MessageView | undefined;
  if (e.type !== 'message.created' || !message || typeof message !== 'object') return null;
  return { ...e, data: { message: visitorMessageView(message) } };
}
