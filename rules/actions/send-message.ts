import type { TenantTx } from '../../core/db/tenant.ts';
import { AppError } from '../../core/errors.ts';
import { CHANNEL_PATTERN, handleKindsFor, needsHandle } from '../../core/conversations/channels.ts';
import type { Party } from '../../core/messages/parties.ts';
import { queueOutbound } from '../../core/send/preflight.ts';
import { pickConnection } from '../../core/send/select.ts';
import { templated, type ActionEnv, type TransactionalAction } from './types.ts';

/**
 * send_message: a message to the context's contact (or `to`), on the first channel of `channel`
 * (a name or an ordered fallback list) that the recipient has a handle for AND the org has an
 * active sending connection for. It goes through queueOutbound like an API send (service window
 * preflight, then the send job), stamped with causedBy so the rules it triggers know their depth.
 * Without `channel`, the conversation's channel. Replies thread into the event's conversation
 * when it is the same contact and channel.
 */
export interface SendMessageAction {
  type: 'send_message';
  channel?: string | string[];
  to?: { contactId: string } | { handle: { kind: string; value: string } };
  body: string;
  subject?: string;
  purpose?: 'transactional' | 'marketing';
  metadata?: Record<string, unknown>;
}

const channelName = { type: 'string', pattern: CHANNEL_PATTERN } as const;

interface Plan {
  channel: string;
  to?: Party;
  conversationId?: string;
}

async function kindsOfContact(tx: TenantTx, contactId: string): Promise<Set<string>> {
  const rows: { kind: string }[] = await tx.pii('pii.contact_handles').distinct('kind').where({ contact_id: contactId });
  return new Set(rows.map((r) => r.kind));
}

async function plan(a: SendMessageAction, env: ActionEnv, tx: TenantTx): Promise<Plan> {
  const { contact, conversation } = env.context;
  const channels = a.channel === undefined ? (conversation ? [conversation.channel] : []) : Array.isArray(a.channel) ? a.channel : [a.channel];
  if (!channels.length) throw unprocessable('/channel', 'no channel given and the event has no conversation');
  let to: Party | undefined = a.to;
  if (!to) {
    if (!contact) throw unprocessable('/to', 'the event has no contact; give "to"');
    to = { contactId: contact.id };
  }
  const kinds = 'handle' in to ? new Set([to.handle.kind]) : await kindsOfContact(tx, to.contactId);
  const tried: string[] = [];
  for (const channel of channels) {
    const reachable = !needsHandle(channel) || handleKindsFor(channel).some((k) => kinds.has(k));
    if (!reachable) {
      tried.push(`${channel}: no ${handleKindsFor(channel).join('/')} handle`);
      continue;
    }
    if (!(await pickConnection(tx, env.engine.connectors, { channel }))) {
      tried.push(`${channel}: no active connection`);
      continue;
    }
    const reply = !a.to && conversation && conversation.channel === channel && conversation.contactId === contact?.id;
    return reply ? { channel, conversationId: conversation!.id } : { channel, to };
  }
  throw unprocessable('/channel', `no usable channel (${tried.join('; ')})`);
}

const unprocessable = (field: string, reason: string) => new AppError('unprocessable', `send_message: ${reason}.`, { details: [{ field, reason }] });

export const sendMessage: TransactionalAction<SendMessageAction> = {
  type: 'send_message',
  mode: 'transactional',
  description: 'Send a templated message to the contact (or "to") on the first usable channel of a fallback list.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'body'],
    properties: {
      type: { const: 'send_message' },
      channel: { oneOf: [channelName, { type: 'array', minItems: 1, maxItems: 5, uniqueItems: true, items: channelName }] },
      to: {
        oneOf: [
          { type: 'object', additionalProperties: false, required: ['contactId'], properties: { contactId: templated } },
          {
            type: 'object',
            additionalProperties: false,
            required: ['handle'],
            properties: { handle: { type: 'object', additionalProperties: false, required: ['kind', 'value'], properties: { kind: { type: 'string', minLength: 1 }, value: templated } } },
          },
        ],
      },
      body: { type: 'string', minLength: 1, maxLength: 5000 },
      subject: { type: 'string', maxLength: 500 },
      purpose: { enum: ['transactional', 'marketing'], default: 'transactional' },
      metadata: { type: 'object', maxProperties: 20 },
    },
  },
  async preview(a, env, tx) {
    const p = await plan(a, env, tx);
    return { channel: p.channel, to: p.to ?? null, conversationId: p.conversationId ?? null, body: a.body, subject: a.subject ?? null, purpose: a.purpose ?? 'transactional' };
  },
  async run(a, env, tx) {
    const p = await plan(a, env, tx);
    const { message } = await queueOutbound(tx, env.engine.connectors, {
      channel: p.channel,
      to: p.to,
      conversationId: p.conversationId,
      body: a.body,
      subject: a.subject,
      metadata: { ...a.metadata, purpose: a.purpose ?? 'transactional', causedBy: env.causedBy, rule: { id: env.rule.id, version: env.rule.version } },
    });
    return { log: { messageId: message.id, conversationId: message.conversationId, channel: p.channel } };
  },
};
