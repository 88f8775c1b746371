import { updateConversation } from '../../core/conversations/service.ts';
import { targetConversation, conversationIdProp } from './conversation.ts';
import type { TransactionalAction } from './types.ts';

/** assign: sets metadata.assignee to a user of the host app (its own user reference). */
export interface AssignAction {
  type: 'assign';
  assignee: string;
  conversationId?: string;
}

export const assign: TransactionalAction<AssignAction> = {
  type: 'assign',
  mode: 'transactional',
  description: 'Assign the conversation to a user of the host app (metadata.assignee).',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'assignee'],
    properties: { type: { const: 'assign' }, assignee: { type: 'string', minLength: 1, maxLength: 200 }, conversationId: conversationIdProp },
  },
  async preview(a, env) {
    return { conversationId: targetConversation(env, a.conversationId), assignee: a.assignee };
  },
  async run(a, env, tx) {
    const id = targetConversation(env, a.conversationId);
    await updateConversation(tx, id, { metadata: { assignee: a.assignee } }, { causedBy: env.causedBy });
    return { log: { conversationId: id, assignee: a.assignee } };
  },
};
