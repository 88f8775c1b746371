import { defineRoute } from '../http/route.ts';
import { CONVERSATION_STATUSES, PARTICIPANT_ROLES } from '../../core/conversations/models.ts';
import { CHANNEL_PATTERN } from '../../core/conversations/channels.ts';
import { listAssignees, MAX_TAG_LENGTH, MAX_TAGS } from '../../core/conversations/assignment.ts';
import { PREVIEW_CHARS } from '../../core/conversations/previews.ts';
import {
  LIST_ORDERS,
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
    assigneeId: { type: ['string', 'null'], format: 'uuid', description: 'The dashboard user working it (GET /v1/assignees), or null' },
    tags: { type: 'array', items: { type: 'string' } },
    participants: { type: 'array', items: participant },
    lastMessageAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

/** On list rows only: the newest message. */
const lastMessageSchema = {
  type: ['object', 'null'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    direction: { enum: ['inbound', 'outbound'] },
    channel: { type: 'string' },
    status: { type: 'string' },
    body: {
      type: ['string', 'null'],
      description: `Its first ${PREVIEW_CHARS} characters; null without the messages:read scope or once retention cleared it; redacted when safe mode is on`,
    },
    hasMedia: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const tagSchema = { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH };

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
    summary: 'List conversations, newest created first (or by last activity), with filters; each row has its last message',
    tag: 'Conversations',
    scope: 'conversations:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: [...CONVERSATION_STATUSES] },
        channel: { type: 'string', pattern: CHANNEL_PATTERN },
        contactId: { type: 'string', format: 'uuid' },
        assigneeId: { type: 'string', pattern: '^(none|[0-9a-fA-F-]{36})$', description: 'A user id, or "none" for unassigned conversations' },
        tag: { ...tagSchema, description: 'Conversations carrying this tag (compared normalized)' },
        order: { enum: [...LIST_ORDERS], default: 'created', description: 'created: newest created first, a stable pass. last_activity: newest message first (an inbox); a conversation active during a pass moves up' },
        metadata: {
          type: 'object',
          maxProperties: 20,
          additionalProperties: { type: 'string', maxLength: 500 },
          description: 'metadata[key]=value; several keys must all match. "3" also matches the number 3, "true" the boolean.',
        },
        ...pageQuery,
      },
    },
    response: pageOf({ ...conversationSchema, properties: { ...conversationSchema.properties, lastMessage: lastMessageSchema } }),
    handler: ({ engine, auth, query }) => {
      const withBody = auth.scopes.includes('admin') || auth.scopes.includes('messages:read');
      return engine.tenant(auth.orgId, (tx) => listConversations(tx, query, { withBody }));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/assignees',
    summary: 'The users a conversation can be assigned to: enabled owners, admins and agents of the org',
    tag: 'Conversations',
    scope: 'conversations:read',
    response: {
      type: 'object',
      properties: {
        object: { const: 'list' },
        data: {
          type: 'array',
          items: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, object: { const: 'assignee' }, name: { type: ['string', 'null'] }, email: { type: 'string' }, role: { type: 'string' } } },
        },
      },
    },
    handler: ({ engine, auth }) => engine.tenant(auth.orgId, async (tx) => ({ object: 'list', data: await listAssignees(tx) })),
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
    summary: 'Update status, assignee, tags (replaced), metadata (merged; a null value removes its key) or subject',
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
        assigneeId: { type: ['string', 'null'], format: 'uuid', description: 'An enabled owner, admin or agent of the org (GET /v1/assignees); null unassigns' },
        tags: { type: 'array', maxItems: MAX_TAGS, items: tagSchema, description: `The whole set; trimmed, lowercased, spaces → '-', duplicates dropped` },
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
