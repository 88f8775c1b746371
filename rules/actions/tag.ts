import { loadConversationView, updateConversation } from '../../core/conversations/service.ts';
import { targetConversation, conversationIdProp } from './conversation.ts';
import type { TransactionalAction } from './types.ts';

/** tag: adds tags to the conversation's metadata.tags (a set: re-tagging changes nothing, so no event). */
export interface TagAction {
  type: 'tag';
  tags: string[];
  conversationId?: string;
}

export const tag: TransactionalAction<TagAction> = {
  type: 'tag',
  mode: 'transactional',
  description: 'Add tags to the conversation (metadata.tags).',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'tags'],
    properties: { type: { const: 'tag' }, tags: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 100 } }, conversationId: conversationIdProp },
  },
  async preview(a, env) {
    return { conversationId: targetConversation(env, a.conversationId), addTags: a.tags };
  },
  async run(a, env, tx) {
    const id = targetConversation(env, a.conversationId);
    const current = (await loadConversationView(tx, id)).metadata.tags;
    const tags = [...new Set([...(Array.isArray(current) ? current.map(String) : []), ...a.tags])];
    await updateConversation(tx, id, { metadata: { tags } }, { causedBy: env.causedBy });
    return { log: { conversationId: id, tags } };
  },
};
