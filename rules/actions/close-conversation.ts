import { updateConversation } from '../../core/conversations/service.ts';
import { targetConversation, conversationIdProp } from './conversation.ts';
import type { TransactionalAction } from './types.ts';

/** close_conversation: status → closed (the next inbound message reopens or starts one, as threading decides). */
export interface CloseConversationAction {
  type: 'close_conversation';
  conversationId?: string;
}

export const closeConversation: TransactionalAction<CloseConversationAction> = {
  type: 'close_conversation',
  mode: 'transactional',
  description: 'Close the conversation.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'close_conversation' }, conversationId: conversationIdProp },
  },
  async preview(a, env) {
    return { conversationId: targetConversation(env, a.conversationId), status: 'closed' };
  },
  async run(a, env, tx) {
    const id = targetConversation(env, a.conversationId);
    await updateConversation(tx, id, { status: 'closed' }, { causedBy: env.causedBy });
    return { log: { conversationId: id } };
  },
};
