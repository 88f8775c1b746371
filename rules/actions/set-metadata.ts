import { updateConversation } from '../../core/conversations/service.ts';
import { targetConversation, conversationIdProp } from './conversation.ts';
import type { TransactionalAction } from './types.ts';

/** set_metadata: merges keys into the conversation's metadata (null removes a key). */
export interface SetMetadataAction {
  type: 'set_metadata';
  metadata: Record<string, unknown>;
  conversationId?: string;
}

export const setMetadata: TransactionalAction<SetMetadataAction> = {
  type: 'set_metadata',
  mode: 'transactional',
  description: 'Merge keys into the conversation metadata (null removes a key); string values are templated.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'metadata'],
    properties: { type: { const: 'set_metadata' }, metadata: { type: 'object', minProperties: 1, maxProperties: 50 }, conversationId: conversationIdProp },
  },
  async preview(a, env) {
    return { conversationId: targetConversation(env, a.conversationId), metadata: a.metadata };
  },
  async run(a, env, tx) {
    const id = targetConversation(env, a.conversationId);
    await updateConversation(tx, id, { metadata: a.metadata }, { causedBy: env.causedBy });
    return { log: { conversationId: id, keys: Object.keys(a.metadata) } };
  },
};
