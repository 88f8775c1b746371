import { useQueryClient } from '@tanstack/react-query';
import type { EngineEvent } from '../../api/types.ts';
import { useRealtime } from '../../api/realtime.ts';
import { Badge, Empty } from '../../ui/states.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ContactPanel } from './ContactPanel.tsx';
import { Thread } from './Thread.tsx';
import { inboxKeys, upsertMessage, useConversation } from './queries.ts';
import './inbox.css';

/**
 * The inbox: conversation list | thread | contact panel. One realtime feed for the org keeps all
 * three live: each event refreshes the queries it touches (an event may carry ids only, as in
 * HIPAA mode, so the screen re-reads instead of trusting the frame's content).
 */
export default function InboxPage({ params }: { params: Record<string, string> }) {
  const qc = useQueryClient();
  const selected = params.conversationId ?? null;
  const live = useRealtime((e: EngineEvent) => {
    if (e.type === 'message.status_changed' && e.conversationId && typeof e.data?.to === 'string') {
      const { messageId, to, errorCode, errorMessage } = e.data;
      upsertMessage(qc, e.conversationId, messageId, (m) => m && { ...m, status: to, errorCode: errorCode ?? m.errorCode, errorMessage: errorMessage ?? m.errorMessage });
    }
    if (e.type.startsWith('message.') || e.type.startsWith('conversation.')) {
      void qc.invalidateQueries({ queryKey: inboxKeys.conversations });
      if (e.conversationId) {
        void qc.invalidateQueries({ queryKey: inboxKeys.messages(e.conversationId) });
        void qc.invalidateQueries({ queryKey: inboxKeys.conversation(e.conversationId) });
        if (e.type === 'conversation.enriched') void qc.invalidateQueries({ queryKey: inboxKeys.enrichment(e.conversationId) });
      }
    } else if (e.type.startsWith('contact.') || e.type.startsWith('consent.')) {
      void qc.invalidateQueries({ queryKey: ['contact'] });
      void qc.invalidateQueries({ queryKey: ['consents'] });
    }
  });
  return (
    <div className="inbox">
      <header className="inbox-header">
        <h1>Inbox</h1>
        <span className="inbox-live" title="Updates arrive over the realtime feed">
          <Badge tone={live === 'live' ? 'good' : live === 'offline' ? 'bad' : 'neutral'}>{live === 'live' ? 'Live' : live === 'offline' ? 'Reconnecting…' : 'Connecting…'}</Badge>
        </span>
      </header>
      <div className={selected ? 'inbox-body' : 'inbox-body inbox-body-empty'}>
        <ConversationList selected={selected} />
        {selected ? <Selected id={selected} /> : <Empty title="Pick a conversation">Choose one on the left to read and reply.</Empty>}
      </div>
    </div>
  );
}

function Selected({ id }: { id: string }) {
  const conv = useConversation(id);
  return (
    <>
      <Thread id={id} />
      {conv.data ? <ContactPanel conversation={conv.data} /> : <aside className="contact-panel" aria-label="Contact" />}
    </>
  );
}
