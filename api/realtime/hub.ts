import type { EngineEvent } from '../../core/events/events.ts';
import type { RealtimeAdapter, RealtimeListener } from '../../core/realtime/realtime.ts';
import { createLogger } from '../../core/logger.ts';

const log = createLogger('realtime');

/**
 * This process's WebSocket subscribers, indexed by org and conversation. The hub holds one
 * subscription on the realtime adapter per org (however many sockets stream it), and hands an
 * event only to the org-wide streams and to the streams of its own conversation: with thousands of
 * conversation-scoped sockets (widget visitors) an event visits its few subscribers, not all of them.
 */
export interface RealtimeHub {
  /** Live events of the org (or of one of its conversations, in feed order); returns the unsubscribe function. */
  subscribe(orgId: string, conversationId: string | undefined, listener: RealtimeListener): () => void;
}

interface OrgEntry {
  off: () => void;
  all: Set<RealtimeListener>;
  byConversation: Map<string, Set<RealtimeListener>>;
  size: number;
}

// Conversation ids arrive as clients typed them (?conversationId=); events carry the database's lowercase form.
const key = (conversationId: string) => conversationId.toLowerCase();

export function createRealtimeHub(realtime: RealtimeAdapter): RealtimeHub {
  const orgs = new Map<string, OrgEntry>();

  const call = (l: RealtimeListener, e: EngineEvent) => {
    try {
      l(e);
    } catch (err) {
      // One failing socket must not keep the event from the others.
      log.warn({ event: e.id, err: (err as Error).message }, 'realtime listener failed');
    }
  };
  const dispatch = (entry: OrgEntry) => (e: EngineEvent) => {
    for (const l of entry.all) call(l, e);
    const scoped = e.conversationId ? entry.byConversation.get(key(e.conversationId)) : undefined;
    if (scoped) for (const l of scoped) call(l, e);
  };

  return {
    subscribe(orgId, conversationId, listener) {
      let entry = orgs.get(orgId);
      if (!entry) {
        const created: OrgEntry = { off: () => {}, all: new Set(), byConversation: new Map(), size: 0 };
        created.off = realtime.subscribe(orgId, dispatch(created));
        orgs.set(orgId, created);
        entry = created;
      }
      const mine = entry;
      let set = mine.all;
      if (conversationId) {
        set = mine.byConversation.get(key(conversationId)) ?? new Set();
        mine.byConversation.set(key(conversationId), set);
      }
      set.add(listener);
      mine.size++;
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        set.delete(listener);
        if (conversationId && !set.size) mine.byConversation.delete(key(conversationId));
        if (--mine.size === 0 && orgs.get(orgId) === mine) {
          orgs.delete(orgId);
          mine.off();
        }
      };
    },
  };
}
