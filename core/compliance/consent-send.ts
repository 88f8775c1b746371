import type { TenantTx } from '../db/tenant.ts';
import { consentKeyOfHandle, PURPOSES, recordConsent } from './consent.ts';

/** A provider refused a send because the recipient unsubscribed with it (Twilio 21610): recorded as an opt-out for every purpose on the channel. */
export async function recordOptOutFromProvider(tx: TenantTx, messageId: string, connector: string, providerCode: string | null): Promise<void> {
  const row = await tx.trx('messages').select('handle_id', 'contact_id', 'channel', 'connection_id').where({ id: messageId }).first();
  const key = row?.handle_id ? await consentKeyOfHandle(tx, row.handle_id) : null;
  if (!row || !key) return;
  await recordConsent(tx, {
    key,
    contactId: row.contact_id,
    channel: row.channel,
    purposes: PURPOSES,
    status: 'opted_out',
    source: 'provider',
    evidence: { messageId, connector, ...(providerCode ? { providerCode } : {}) },
    recordedBy: `connector:${connector}`,
  });
}
