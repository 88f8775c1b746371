import { Model, snakeCaseMappers } from 'objection';

/**
 * objection models for the conversation CRUD paths. They are always bound to the tenant
 * transaction (`ConversationModel.query(tx.trx)`): no global knex, so RLS applies to every query.
 */
export const CONVERSATION_STATUSES = ['open', 'snoozed', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const PARTICIPANT_ROLES = ['customer', 'agent', 'vendor', 'bot', 'observer'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export class ConversationModel extends Model {
  static tableName = 'conversations';
  static columnNameMappers = snakeCaseMappers();
  static jsonAttributes = ['metadata'];

  id!: string;
  orgId!: string;
  channel!: string;
  status!: ConversationStatus;
  contactId!: string | null;
  senderAddress!: string | null;
  subjectEnc!: Buffer | null;
  metadata!: Record<string, unknown>;
  assigneeId!: string | null;
  tags!: string[];
  lastMessageAt!: Date;
  createdAt!: Date;
  updatedAt!: Date;
}

export class ParticipantModel extends Model {
  static tableName = 'participants';
  static columnNameMappers = snakeCaseMappers();
  static jsonAttributes: string[] = [];

  id!: string;
  orgId!: string;
  conversationId!: string;
  contactId!: string | null;
  userRef!: string | null;
  role!: ParticipantRole;
  channel!: string;
  handleId!: string | null;
  createdAt!: Date;
}
