import { defineRoute } from '../http/route.ts';
import { CONVERSATION_STATUSES, PARTICIPANT_ROLES } from '../../core/conversations/models.ts';
import { CHANNEL_PATTERN } from '../../core/conversations/channels.ts';
import {
  addParticipant,
  listConversations,
  loadConversationView,
  removeParticipant,
  updateConversation,
  type ConversationPatch,
  type ListFilter,
  type NewParticipant,
} from '../../core/conversations/service.ts';

const participant = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    contactId: { type: ['string', 'null'] },
    userRef: { type: ['string', 'null'] },
    role: { type: 'string', enum: [...PARTICIPANT_ROLES] },
    channel: { type: 'string' },
    handleId: { type: ['string', 'null'] },
  },
};

export const conversationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'conversation' },
    channel: { type: 'string' },
    status: { type: 'string', enum: [...CONVERSATION_STATUSES] },
    contactId: { type: ['string', 'null'] },
    senderAddress: { type: ['string', 'null'] },
    subject: { type: ['string', 'null'] },
    metadata: { type: 'object' },
    participants: { type: 'array', items: participant },
    lastMessageAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

export const pageQuery = {
  cursor: { type: 'string', description: 'nextCursor of the previous page' },
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
};

export const pageOf = (item: object) => ({
  type: 'object',
  properties: { data: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] }, hasMore: { type: 'boolean' } },
});

export const conversationRoutes = [
  defineRoute<unknown, ListFilter>({
    method: 'get',
    path: '/v1/conversations',
    summary: 'List conversations, newest created first (cursor over creation time), with filters',
    tag: 'Conversations',
    scope: 'conversations:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: [...CONVERSATION_STATUSES] },
        channel: { type: 'string', pattern: CHANNEL_PATTERN },
        contactId: { type: 'string', format: 'uuid' },
        metadata: {
          type: 'object',
          maxProperties: 20,
          additionalProperties: { type: 'string', maxLength: 500 },
          description: 'metadata[key]=value; several keys must all match. "3" also matches the number 3, "true" the boolean.',
        },
        ...pageQuery,
      },
    },
    response: pageOf(conversationSchema),
    handler: ({ engine, auth, query }) => engine.tenant(auth.orgId, (tx) => listConversations(tx, query)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/conversations/:id',
    summary: 'Get a conversation with its participants',
    tag: 'Conversations',
    scope: 'conversations:read',
    response: conversationSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => loadConversationView(tx, params.id, 'id')),
  }),
  defineRoute<ConversationPatch>({
    method: 'patch',
    path: '/v1/conversations/:id',
    summary: 'Update status, metadata (merged; a null value removes its key) or subject',
    tag: 'Conversations',
    scope: 'conversations:write',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        status: { type: 'string', enum: [...CONVERSATION_STATUSES] },
        metadata: { type: 'object', maxProperties: 50 },
        subject: { type: ['string', 'null'], maxLength: 998 },
      },
    },
    response: conversationSchema,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => updateConversation(tx, params.id, body)),
  }),
  defineRoute<NewParticipant>({
    method: 'post',
    path: '/v1/conversations/:id/participants',
    summary: 'Add a participant (a contact or a user of your app); returns the conversation',
    tag: 'Conversations',
    scope: 'conversations:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['role'],
      properties: {
        contactId: { type: 'string', format: 'uuid' },
        userRef: { type: 'string', minLength: 1, maxLength: 255, description: "Your app's id for an agent or user" },
        role: { type: 'string', enum: [...PARTICIPANT_ROLES] },
        channel: { type: 'string', pattern: CHANNEL_PATTERN, description: "Defaults to the conversation's channel" },
        handleId: { type: 'string', format: 'uuid' },
      },
    },
    response: conversationSchema,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => addParticipant(tx, params.id, body)),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/conversations/:id/participants/:participantId',
    summary: 'Remove a participant; returns the conversation',
    tag: 'Conversations',
    scope: 'conversations:write',
    response: conversationSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => removeParticipant(tx, params.id, params.participantId)),
  }),
];
