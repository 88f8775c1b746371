import { updateConversation } from '../../core/conversations/service.ts';
import { targetConversation, conversationIdProp } from './conversation.ts';
import type { TransactionalAction } from './types.ts';

/**
 * assign: sets the conversation's assignee, the same field PATCH /v1/conversations/{id} and the
 * inbox set (an enabled owner/admin/agent of the org; null unassigns). A host app's own routing
 * label (a team, a user of the app) is metadata: use set_metadata for that.
 */
export interface AssignAction {
  type: 'assign';
  assigneeId: string | null;
  conversationId?: string;
}

export const assign: TransactionalAction<AssignAction> = {
  type: 'assign',
  mode: 'transactional',
  description: 'Assign the conversation to a user of the org (GET /v1/assignees), or unassign it with null.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'assigneeId'],
    properties: { type: { const: 'assign' }, assigneeId: { type: ['string', 'null'], pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'A user id (GET /v1/assignees)' }, conversationId: conversationIdProp },
  },
  async preview(a, env) {
    return { conversationId: targetConversation(env, a.conversationId), assigneeId: a.assigneeId };
  },
  async run(a, env, tx) {
    const id = targetConversation(env, a.conversationId);
    const c = await updateConversation(tx, id, { assigneeId: a.assigneeId }, { causedBy: env.causedBy });
    return { log: { conversationId: id, assigneeId: c.assigneeId } };
  },
};
