import { logConversation } from '../../core/crm/log.ts';
import { pickConnection } from '../../core/crm/connection.ts';
import { conversationOf, crmRefOneOf, crmRefProps, type CrmActionRef } from './crm-target.ts';
import type { ExternalAction } from './types.ts';

/**
 * log_to_crm: logs the conversation's messages not logged yet on the contact's CRM record
 * (linking the contact first when needed). Incremental and replay-safe: a message is logged once.
 */
export interface LogToCrmAction extends CrmActionRef {
  type: 'log_to_crm';
}

/** One run logs at most a batch; a long backlog is drained by a few more rounds. */
const MAX_ROUNDS = 5;

export const logToCrmAction: ExternalAction<LogToCrmAction> = {
  type: 'log_to_crm',
  mode: 'external',
  description: 'Log the conversation (new messages only) to the contact’s CRM record.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    oneOf: crmRefOneOf,
    properties: { type: { const: 'log_to_crm' }, ...crmRefProps },
  },
  async preview(a, env, tx) {
    return { conversationId: conversationOf(env, 'log_to_crm'), connectionId: await pickConnection(tx, a, 'log_to_crm') };
  },
  async run(a, env) {
    const orgId = env.context.org.id;
    const conversationId = conversationOf(env, 'log_to_crm');
    const connectionId = await env.engine.tenant(orgId, (tx) => pickConnection(tx, a, 'log_to_crm'));
    let logged = 0;
    let recordId: string | null = null;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = await logConversation(env.engine, orgId, { conversationId, connectionId });
      logged += r.logged;
      recordId = r.recordId;
      if (!r.hasMore || r.logged === 0) break;
    }
    return { log: { conversationId, connectionId, recordId, logged } };
  },
};
