import type { OrgCrypto } from '../crypto/keyring.ts';

/** The messages row (plain knex: the message paths are the hot ones) and the API's message object. */
export interface MessageRow {
  id: string;
  org_id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  connection_id: string | null;
  contact_id: string | null;
  handle_id: string | null;
  sender_address: string | null;
  provider_message_id: string | null;
  rfc_message_id_index: Buffer | null;
  rfc_message_id_enc?: Buffer | null;
  body_enc: Buffer | null;
  subject_enc: Buffer | null;
  media_enc: Buffer | null;
  status: string;
  error_code: string | null;
  error_message_enc: Buffer | null;
  metadata: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface MediaItem {
  url: string;
  contentType?: string | null;
}

export interface MessageView {
  id: string;
  object: 'message';
  conversationId: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  connectionId: string | null;
  contactId: string | null;
  senderAddress: string | null;
  providerMessageId: string | null;
  body: string | null;
  subject: string | null;
  media: MediaItem[];
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export function messageView(r: MessageRow, crypto: OrgCrypto): MessageView {
  return {
    id: r.id,
    object: 'message',
    conversationId: r.conversation_id,
    direction: r.direction,
    channel: r.channel,
    connectionId: r.connection_id,
    contactId: r.contact_id,
    senderAddress: r.sender_address,
    providerMessageId: r.provider_message_id,
    body: crypto.decrypt(r.id, 'body', r.body_enc),
    subject: crypto.decrypt(r.id, 'subject', r.subject_enc),
    media: crypto.decryptJson<MediaItem[]>(r.id, 'media', r.media_enc) ?? [],
    status: r.status,
    errorCode: r.error_code,
    errorMessage: crypto.decrypt(r.id, 'error_message', r.error_message_enc),
    metadata: r.metadata ?? {},
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}
