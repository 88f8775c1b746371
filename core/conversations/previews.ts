import type { TenantTx } from '../db/tenant.ts';
import { redactForEgress } from '../compliance/redaction.ts';
import { orgSettings } from '../org-settings.ts';

/**
 * The newest message of each listed conversation, for an inbox row. One LATERAL query per page
 * (the messages_conversation index answers each row with one index step), never N queries.
 *
 * The body is shown only to a reader allowed to read messages (`withBody`); otherwise it is null,
 * as it is after retention or erasure cleared it. It is cut to PREVIEW_CHARS and, when the org's
 * safe mode is on, redacted like text leaving Switchboard: with `before_egress` the stored text
 * is not redacted, and a list preview is glanced at on screens and handed to embedding apps.
 */
export const PREVIEW_CHARS = 160;

export interface MessagePreview {
  id: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  status: string;
  body: string | null;
  hasMedia: boolean;
  createdAt: string;
}

export async function lastMessages(tx: TenantTx, conversationIds: string[], withBody: boolean): Promise<Map<string, MessagePreview>> {
  const out = new Map<string, MessagePreview>();
  if (!conversationIds.length) return out;
  const { rows } = await tx.trx.raw(
    `SELECT m.id, m.conversation_id, m.direction, m.channel, m.status, m.body_enc, m.media_enc IS NOT NULL AS has_media, m.created_at
       FROM unnest(?::uuid[]) AS c(id)
       CROSS JOIN LATERAL (
         SELECT * FROM messages WHERE conversation_id = c.id ORDER BY created_at DESC, id DESC LIMIT 1
       ) m`,
    [conversationIds],
  );
  const safeMode = withBody ? (await orgSettings(tx.trx, tx.orgId)).safeMode : undefined;
  for (const r of rows) {
    let body: string | null = null;
    if (safeMode) {
      // Redacted whole, then cut: a cut first could halve a card number so no detector sees it.
      body = redactForEgress(tx.crypto.decrypt(r.id, 'body', r.body_enc), safeMode);
      if (body !== null && body.length > PREVIEW_CHARS) body = `${body.slice(0, PREVIEW_CHARS - 1)}…`;
    }
    out.set(r.conversation_id, {
      id: r.id,
      direction: r.direction,
      channel: r.channel,
      status: r.status,
      body,
      hasMedia: r.has_media,
      createdAt: new Date(r.created_at).toISOString(),
    });
  }
  return out;
}
