import { updateConversation } from '../../core/conversations/service.ts';
import { targetConversation, conversationIdProp } from './conversation.ts';
import type { TransactionalAction } from './types.ts';

/**
 * tag: adds tags to the conversation's tags (the field PATCH /v1/conversations/{id} and the inbox
 * set; normalized the same way). A set: re-tagging changes nothing, so no event.
 */
export interface TagAction {
  type: 'tag';
  tags: string[];
  conversationId?: string;
}

export const tag: TransactionalAction<TagAction> = {
  type: 'tag',
  mode: 'transactional',
  description: 'Add tags to the conversation.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'tags'],
    properties: { type: { const: 'tag' }, tags: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 50 } }, conversationId: conversationIdProp },
  },
  async preview(a, env) {
    return { conversationId: targetConversation(env, a.conversationId), addTags: a.tags };
  },
  async run(a, env, tx) {
    const id = targetConversation(env, a.conversationId);
    const c = await updateConversation(tx, id, { addTags: a.tags }, { causedBy: env.causedBy });
    return { log: { conversationId: id, tags: c.tags } };
  },
};
