import type { TenantTx } from '../db/tenant.ts';
import type { MessageRow } from '../messages/views.ts';

/**
 * A provider-approved template for an outbound message (WhatsApp: the ContentSid via Twilio, the
 * template name on Meta) and its variables. Sealed under the message id: variables carry names,
 * dates and amounts.
 */
export interface MessageTemplate {
  id: string;
  variables?: Record<string, string>;
}

export async function attachTemplate(tx: TenantTx, messageId: string, template: MessageTemplate): Promise<void> {
  await tx.trx('messages').where({ id: messageId }).update({ template_enc: tx.crypto.encryptJson(messageId, 'template', template) }).returning('id');
}

export function templateOf(tx: TenantTx, row: MessageRow & { template_enc?: Buffer | Uint8Array | null }): MessageTemplate | undefined {
  return tx.crypto.decryptJson<MessageTemplate>(row.id, 'template', row.template_enc ? Buffer.from(row.template_enc) : null) ?? undefined;
}
