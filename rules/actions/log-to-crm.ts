import { logConversation } from '../../core/crm/log.ts';
import { logNote } from '../../core/crm/note.ts';
import { pickConnection } from '../../core/crm/connection.ts';
import { enrich } from '../../ai/enrich.ts';
import { conversationOf, crmRefOneOf, crmRefProps, type CrmActionRef } from './crm-target.ts';
import type { ExternalAction } from './types.ts';

/**
 * log_to_crm: logs the conversation's messages not logged yet on the contact's CRM record
 * (linking the contact first when needed). Incremental and replay-safe: a message is logged once.
 * With `summary: true` it also logs the conversation's AI summary (ai/: the stored one for the
 * conversation's current version, else made now) as one CRM note, once per conversation version;
 * `messages: false` logs the summary alone. Safe-mode redaction runs on the summary before it leaves.
 */
export interface LogToCrmAction extends CrmActionRef {
  type: 'log_to_crm';
  /** Log the messages (default true). */
  messages?: boolean;
  /** Log the conversation summary as a note (default false). */
  summary?: boolean;
}

/** One run logs at most a batch; a long backlog is drained by a few more rounds. */
const MAX_ROUNDS = 5;

export const logToCrmAction: ExternalAction<LogToCrmAction> = {
  type: 'log_to_crm',
  mode: 'external',
  description: 'Log the conversation (new messages only, and/or its AI summary as a note) to the contact’s CRM record.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    oneOf: crmRefOneOf,
    properties: {
      type: { const: 'log_to_crm' },
      ...crmRefProps,
      messages: { type: 'boolean', description: 'Log the messages not logged yet (default true)' },
      summary: { type: 'boolean', description: "Log the conversation's AI summary as a CRM note, once per conversation version (default false)" },
    },
  },
  check(a) {
    if (a.messages === false && a.summary !== true) return [{ field: '/messages', reason: 'is false and summary is not true: the action would log nothing (set "summary": true or drop "messages")' }];
    return [];
  },
  async preview(a, env, tx) {
    return { conversationId: conversationOf(env, 'log_to_crm'), connectionId: await pickConnection(tx, a, 'log_to_crm'), messages: a.messages !== false, summary: a.summary === true };
  },
  async run(a, env) {
    const orgId = env.context.org.id;
    const conversationId = conversationOf(env, 'log_to_crm');
    const connectionId = await env.engine.tenant(orgId, (tx) => pickConnection(tx, a, 'log_to_crm'));
    let logged = 0;
    let recordId: string | null = null;
    if (a.messages !== false) {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const r = await logConversation(env.engine, orgId, { conversationId, connectionId });
        logged += r.logged;
        recordId = r.recordId;
        if (!r.hasMore || r.logged === 0) break;
      }
    }
    if (a.summary !== true) return { log: { conversationId, connectionId, recordId, logged } };
    const { record } = await enrich(env.engine, orgId, { conversationId, tasks: ['summary'], causedBy: env.causedBy });
    const summary = record.result.summary?.trim();
    if (!summary) return { log: { conversationId, connectionId, recordId, logged, note: { skipped: 'empty_summary', enrichmentId: record.id } } };
    const note = await logNote(env.engine, orgId, { conversationId, connectionId, version: record.version, text: summary });
    return {
      log: { conversationId, connectionId, recordId: recordId ?? note.recordId, logged, note: { id: note.externalId, logged: note.logged, version: record.version, enrichmentId: record.id, provider: record.provider } },
    };
  },
};
