import type { OrgCrypto } from '../crypto/keyring.ts';
import type { ConversationModel, ParticipantModel } from './models.ts';

/** The API's conversation object; events carry the same shape. */
export interface ParticipantView {
  id: string;
  contactId: string | null;
  userRef: string | null;
  role: string;
  channel: string;
  handleId: string | null;
}

export interface ConversationView {
  id: string;
  object: 'conversation';
  channel: string;
  status: string;
  contactId: string | null;
  senderAddress: string | null;
  subject: string | null;
  metadata: Record<string, unknown>;
  /** A dashboard user of the org (GET /v1/assignees), or null. */
  assigneeId: string | null;
  tags: string[];
  participants: ParticipantView[];
  lastMessageAt: string;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

export const participantView = (p: ParticipantModel): ParticipantView => ({
  id: p.id,
  contactId: p.contactId,
  userRef: p.userRef,
  role: p.role,
  channel: p.channel,
  handleId: p.handleId,
});

export function conversationView(c: ConversationModel, participants: ParticipantModel[], crypto: OrgCrypto): ConversationView {
  return {
    id: c.id,
    object: 'conversation',
    channel: c.channel,
    status: c.status,
    contactId: c.contactId,
    senderAddress: c.senderAddress,
    subject: crypto.decrypt(c.id, 'subject', c.subjectEnc),
    metadata: c.metadata ?? {},
    assigneeId: c.assigneeId ?? null,
    tags: c.tags ?? [],
    participants: participants.map(participantView),
    lastMessageAt: iso(c.lastMessageAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
