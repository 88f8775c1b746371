import { enrich } from '../../ai/enrich.ts';
import { conversationOf } from './crm-target.ts';
import type { ExternalAction } from './types.ts';

/**
 * enrich: runs AI enrichment (ai/) on the event's conversation, or on its message with
 * `"subject": "message"`. The result is stored and published as conversation.enriched /
 * message.enriched (carrying causedBy, so rules on those events see the depth); a version
 * already enriched is not enriched again.
 */
export interface EnrichAction {
  type: 'enrich';
  subject?: 'conversation' | 'message';
  tasks?: ('intent' | 'sentiment' | 'entities' | 'summary' | 'replies')[];
}

export const enrichAction: ExternalAction<EnrichAction> = {
  type: 'enrich',
  mode: 'external',
  description: 'AI enrichment of the conversation (summary, intent, sentiment, entities, suggested replies) or of the message.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: { const: 'enrich' },
      subject: { type: 'string', enum: ['conversation', 'message'] },
      tasks: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['intent', 'sentiment', 'entities', 'summary', 'replies'] } },
    },
  },
  async preview(a, env) {
    return { conversationId: conversationOf(env, 'enrich'), subject: a.subject ?? 'conversation', messageId: a.subject === 'message' ? (env.context.message?.id ?? null) : null, tasks: a.tasks ?? 'all' };
  },
  async run(a, env) {
    const conversationId = conversationOf(env, 'enrich');
    const messageId = a.subject === 'message' ? env.context.message?.id : undefined;
    const { record, cached } = await enrich(env.engine, env.context.org.id, { conversationId, ...(messageId ? { messageId } : {}), ...(a.tasks ? { tasks: a.tasks } : {}), causedBy: env.causedBy });
    return { log: { enrichmentId: record.id, conversationId, messageId: messageId ?? null, provider: record.provider, fallback: record.fallback, cached } };
  },
};
