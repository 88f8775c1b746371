import { defineRoute } from '../http/route.ts';
import { AppError, invalid } from '../../core/errors.ts';
import { CHANNEL_PATTERN } from '../../core/conversations/channels.ts';
import { ingestInbound } from '../../core/messages/ingest.ts';
import { queueOutbound, Refused, type QueueOutboundInput } from '../../core/send/preflight.ts';
import { previewOutbound } from '../../core/send/dry-run.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';
import type { MessageTemplate } from '../../core/send/template.ts';
import { getMessage, listMessages } from '../../core/messages/queries.ts';
import { MESSAGE_STATUSES } from '../../core/messages/status.ts';
import type { Party } from '../../core/messages/parties.ts';
import type { MediaItem } from '../../core/messages/views.ts';
import { pageOf, pageQuery } from './conversations.ts';

export const MAX_BODY_CHARS = 10_000;

const handleParty = {
  type: 'object',
  additionalProperties: false,
  required: ['handle'],
  properties: {
    handle: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'value'],
      properties: { kind: { type: 'string' }, value: { type: 'string', maxLength: 320 } },
    },
  },
};
const contactParty = {
  type: 'object',
  additionalProperties: false,
  required: ['contactId'],
  properties: { contactId: { type: 'string', format: 'uuid' } },
};
const addressParty = {
  type: 'object',
  additionalProperties: false,
  required: ['address'],
  properties: { address: { type: 'string', minLength: 1, maxLength: 320 } },
};

const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'message' },
    conversationId: { type: 'string', format: 'uuid' },
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    channel: { type: 'string' },
    connectionId: { type: ['string', 'null'] },
    contactId: { type: ['string', 'null'] },
    senderAddress: { type: ['string', 'null'] },
    providerMessageId: { type: ['string', 'null'] },
    body: { type: ['string', 'null'] },
    subject: { type: ['string', 'null'] },
    media: { type: 'array', items: { type: 'object' } },
    status: { type: 'string', enum: [...MESSAGE_STATUSES] },
    errorCode: { type: ['string', 'null'] },
    errorMessage: { type: ['string', 'null'] },
    metadata: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

interface PostMessage {
  direction?: 'inbound' | 'outbound';
  channel?: string;
  to?: Party;
  from?: Party | { address: string };
  body?: string;
  subject?: string;
  media?: MediaItem[];
  conversationId?: string;
  metadata?: Record<string, unknown>;
  externalId?: string;
  template?: MessageTemplate;
  purpose?: 'transactional' | 'marketing';
  noDefer?: boolean;
}

/** Metadata keys the engine sets itself (the compliance preflight trusts them). */
const RESERVED_METADATA = ['compliance', 'purpose', 'deferredUntil'];

const messageBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    direction: { type: 'string', enum: ['outbound', 'inbound'], default: 'outbound', description: 'inbound only on channel chat' },
    channel: { type: 'string', pattern: CHANNEL_PATTERN, description: "sms, mms, email, whatsapp, chat…; defaults to the conversation's" },
    to: { oneOf: [handleParty, contactParty], description: 'Outbound recipient; defaults to the conversation customer' },
    from: {
      oneOf: [handleParty, contactParty, addressParty],
      description: 'Inbound: the contact who wrote ({contactId} or {handle}). Outbound: our sender {address} (optional).',
    },
    body: { type: 'string', maxLength: MAX_BODY_CHARS },
    subject: { type: 'string', maxLength: 998 },
    media: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: { url: { type: 'string', format: 'uri', maxLength: 2048 }, contentType: { type: 'string', maxLength: 255 } },
      },
    },
    conversationId: { type: 'string', format: 'uuid' },
    metadata: { type: 'object', maxProperties: 50 },
    externalId: { type: 'string', minLength: 1, maxLength: 255, description: 'Inbound: your id for the message; a repeat is reported, not stored twice' },
    purpose: {
      type: 'string',
      enum: ['transactional', 'marketing'],
      default: 'transactional',
      description: 'Outbound: marketing messages honour quiet hours and marketing consent; transactional ones pass quiet hours',
    },
    noDefer: { type: 'boolean', description: 'Outbound marketing: refuse (422 quiet_hours) instead of holding the message until the next allowed time' },
    template: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 512, description: 'Twilio ContentSid (HX…) or the WhatsApp template name' },
        variables: { type: 'object', maxProperties: 100, additionalProperties: { type: 'string', maxLength: 1024 } },
      },
      description: 'Outbound: a provider-approved template; required for WhatsApp outside the 24-hour customer service window',
    },
  },
};

function checkContent(b: PostMessage) {
  const reserved = RESERVED_METADATA.find((k) => b.metadata && k in b.metadata);
  if (reserved) throw invalid(`/metadata/${reserved}`, 'is reserved: set by the engine');
  if (!b.body?.trim() && !b.media?.length && !b.template) throw invalid('/body', 'is required unless media or a template is given');
}

/** An outbound request as queueOutbound takes it (the send and its preflight read it alike). */
function outboundInput(b: PostMessage): QueueOutboundInput {
  if (b.from && !('address' in b.from)) throw invalid('/from', 'of an outbound message is our sender address: {"address"}');
  if (b.externalId) throw invalid('/externalId', 'is for inbound messages; send an Idempotency-Key header to make a send safe to retry');
  const content = { body: b.body, subject: b.subject, media: b.media, conversationId: b.conversationId, metadata: b.metadata };
  return { channel: b.channel, to: b.to, from: b.from, ...content, template: b.template, purpose: b.purpose, noDefer: b.noDefer };
}

const postMessage = (path: string, summary: string) =>
  defineRoute<PostMessage>({
    method: 'post',
    path,
    summary,
    tag: 'Messages',
    scope: 'messages:send',
    status: 201,
    body: messageBody,
    response: messageSchema,
    handler: async (ctx) => {
      const { engine, auth, body: b } = ctx;
      checkContent(b);
      const content = { body: b.body, subject: b.subject, media: b.media, conversationId: b.conversationId, metadata: b.metadata };
      if ((b.direction ?? 'outbound') === 'inbound') {
        if (!b.channel) throw invalid('/channel', 'is required');
        if (b.channel !== 'chat') {
          throw new AppError('unprocessable', 'Only chat messages can be posted as inbound; other channels arrive through their connectors.', {
            details: [{ field: '/channel', reason: 'inbound messages must use channel "chat"' }],
          });
        }
        if (!b.from || 'address' in b.from) throw invalid('/from', 'is required for an inbound message: {"contactId"} or {"handle"}');
        if (b.to) throw invalid('/to', 'is not used for an inbound message');
        if (b.template) throw invalid('/template', 'is for outbound messages');
        const from = b.from;
        const r = await engine.tenant(auth.orgId, (tx) => ingestInbound(tx, { channel: 'chat', from, providerMessageId: b.externalId, ...content }));
        return r.message;
      }
      const input = outboundInput(b);
      try {
        const r = await engine.tenant(auth.orgId, (tx) => queueOutbound(tx, engine.connectors, input));
        return r.message;
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        // The message was rolled back with the refusal; the refusal itself is kept.
        await engine.tenant(auth.orgId, (tx) =>
          recordAudit(tx, { ...auditBy(ctx), action: 'message.refused', details: { code: err.error.code, channel: b.channel ?? null, purpose: b.purpose ?? 'transactional', at: 'request' } }),
        );
        throw err.error;
      }
    },
  });

export const messageRoutes = [
  postMessage('/v1/messages', 'Send a message (queued for its channel), or record an inbound chat message from your app'),
  postMessage('/v1/send', 'Alias of POST /v1/messages'),
  defineRoute<PostMessage>({
    method: 'post',
    path: '/v1/messages/preflight',
    summary:
      'Dry-run an outbound send: the same checks as POST /v1/messages (service window, consent, 10DLC sender, quiet hours, monthly limit) in a transaction ' +
      'that is rolled back, so nothing is stored. Answers the verdict: allow, or the refusal code and message the send would get.',
    tag: 'Messages',
    scope: 'messages:send',
    body: messageBody,
    response: {
      type: 'object',
      properties: {
        object: { const: 'send_preflight' },
        allow: { type: 'boolean' },
        code: { type: ['string', 'null'], description: 'recipient_opted_out, quiet_hours, window_closed, unregistered_sender…' },
        message: { type: ['string', 'null'] },
        deferredUntil: { type: ['string', 'null'], format: 'date-time', description: 'Marketing in quiet hours: when the message would leave' },
        details: {},
      },
    },
    handler: async ({ engine, auth, body: b }) => {
      checkContent(b);
      if ((b.direction ?? 'outbound') !== 'outbound') throw invalid('/direction', 'a preflight checks outbound sends');
      return previewOutbound(engine, auth.orgId, outboundInput(b));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/messages/:id',
    summary: 'Get a message',
    tag: 'Messages',
    scope: 'messages:read',
    response: messageSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getMessage(tx, params.id)),
  }),
  defineRoute<unknown, { cursor?: string; limit?: number }>({
    method: 'get',
    path: '/v1/conversations/:id/messages',
    summary: "A conversation's messages, newest first",
    tag: 'Messages',
    scope: 'messages:read',
    query: { type: 'object', additionalProperties: false, properties: pageQuery },
    response: pageOf(messageSchema),
    handler: ({ engine, auth, params, query }) => engine.tenant(auth.orgId, (tx) => listMessages(tx, params.id, query)),
  }),
];
