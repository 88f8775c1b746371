import { serviceWindowHours, type Registry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { findConversation } from '../conversations/threading.ts';
import { findHandle, resolveContactId } from '../identity/contacts.ts';
import { normalizeHandle } from '../identity/handles.ts';
import { createOutbound, type OutboundInput } from '../messages/outbound.ts';
import type { Recorded } from '../messages/store.ts';
import { preflight as compliancePreflight, refusalError, type Decision } from '../compliance/preflight.ts';
import type { Purpose } from '../compliance/consent.ts';
import { pickConnection, pickSender } from './select.ts';
import { attachTemplate, type MessageTemplate } from './template.ts';
import { afterSendCounted, checkMonthlyLimit } from '../platforms/limits.ts';
import { checkTemplate } from '../provisioning/templates.ts';

/**
 * Checks made when an outbound message is requested, before it is queued, so the caller gets a
 * clear error at once instead of a failed message later. Today: the customer service window a
 * connector's manifest declares (WhatsApp: 24 h after the contact's last inbound message, free-form
 * text is refused; only an approved template may open the conversation again), and the
 * compliance preflight (core/compliance/preflight.ts) over the message as it would be queued: a
 * refusal throws (the caller's transaction rolls back: nothing is stored) and a quiet-hours
 * deferral keeps the message queued with metadata.deferredUntil (the send job waits for it).
 */
export interface QueueOutboundInput extends OutboundInput {
  template?: MessageTemplate | null;
  purpose?: Purpose;
  /** Refuse (quiet_hours) instead of deferring a marketing message to the next allowed time. */
  noDefer?: boolean;
}

/** A compliance refusal at request time, with its decision (the route audits it after the rollback). */
export class Refused extends Error {
  constructor(readonly decision: Decision, readonly error = refusalError(decision)) {
    super(error.message);
  }
}

export async function queueOutbound(tx: TenantTx, connectors: Registry, input: QueueOutboundInput): Promise<Recorded> {
  await checkServiceWindow(tx, connectors, input);
  const limit = await checkMonthlyLimit(tx);
  const purpose = input.purpose ?? 'transactional';
  const recorded = await createOutbound(tx, { ...input, metadata: { ...(input.metadata ?? {}), purpose } });
  await afterSendCounted(tx, limit);
  if (input.template) await attachTemplate(tx, recorded.message.id, input.template);
  const m = recorded.message;
  const picked = await pickConnection(tx, connectors, { channel: m.channel, connectionId: input.connectionId });
  if (input.template && picked) await checkTemplate(tx, picked.row.id, input.template);
  const sender = picked ? await pickSender(tx, picked.row.id, m.channel, m.senderAddress ?? recorded.conversation.senderAddress ?? null) : undefined;
  const row = await tx.trx('messages').select('handle_id').where({ id: m.id }).first();
  const decision = await compliancePreflight(tx, {
    messageId: m.id,
    channel: m.channel,
    purpose,
    handleId: row?.handle_id ?? null,
    contactId: m.contactId,
    metadata: m.metadata,
    connection: picked,
    sender: sender ?? null,
  });
  if (decision.allow) return recorded;
  if (!decision.defer || input.noDefer) throw new Refused(decision);
  const metadata = { ...m.metadata, deferredUntil: decision.defer.toISOString() };
  await tx.trx('messages').where({ id: m.id }).update({ metadata: JSON.stringify(metadata) }).returning('id');
  return { ...recorded, message: { ...m, metadata } };
}

export async function checkServiceWindow(tx: TenantTx, connectors: Registry, input: QueueOutboundInput): Promise<void> {
  if (input.template) return;
  const conversation = input.conversationId ? await findConversation(tx, input.conversationId) : null;
  const channel = input.channel ?? conversation?.channel;
  if (!channel) return; // createOutbound reports the missing channel
  const picked = await pickConnection(tx, connectors, { channel, connectionId: input.connectionId });
  const hours = picked && serviceWindowHours(picked.def.manifest, channel);
  if (!hours) return;
  const contactId = await recipientContact(tx, input, conversation?.contactId ?? null);
  const last = contactId
    ? await tx.trx('messages').max({ at: 'created_at' }).where({ contact_id: contactId, channel, direction: 'inbound' }).first()
    : undefined;
  const lastAt = last?.at ? new Date(last.at) : null;
  if (lastAt && Date.now() - lastAt.getTime() <= hours * 3_600_000) return;
  throw new AppError(
    'window_closed',
    `The ${channel} customer service window is closed: the contact has not written in the last ${hours} hours. ` +
      'Send an approved template instead ("template": {"id": …, "variables": {…}}).',
    { details: [{ field: '/template', reason: `required outside the ${hours}-hour customer service window`, lastInboundAt: lastAt?.toISOString() ?? null }] },
  );
}

/** The contact the message goes to, without creating one (a handle never seen has no window open). */
async function recipientContact(tx: TenantTx, input: QueueOutboundInput, conversationContact: string | null): Promise<string | null> {
  if (input.to && 'contactId' in input.to) return resolveContactId(tx, input.to.contactId, '/to/contactId');
  if (input.to && 'handle' in input.to) return (await findHandle(tx, normalizeHandle(input.to.handle, '/to/handle/value')))?.contact_id ?? null;
  return conversationContact ? resolveContactId(tx, conversationContact, '/conversationId') : null;
}
