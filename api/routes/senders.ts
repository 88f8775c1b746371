import { defineRoute } from '../http/route.ts';
import { CHANNEL_PATTERN } from '../../core/conversations/channels.ts';
import {
  createSender,
  deleteSender,
  getSender,
  listSenders,
  REGISTRATION_STATUSES,
  updateSender,
  type SenderInput,
  type SenderPatch,
} from '../../core/connections/senders.ts';

/** A connection's senders: numbers / addresses, their 10DLC registration and their pace. */
const registration = {
  brandId: { type: ['string', 'null'], maxLength: 64, description: '10DLC brand id (TCR)' },
  campaignId: { type: ['string', 'null'], maxLength: 64, description: '10DLC campaign id' },
  registrationStatus: { type: 'string', enum: [...REGISTRATION_STATUSES] },
  messagesPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000, description: 'The pace the send queue keeps for this sender (default 1)' },
};

const senderSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'sender' },
    connectionId: { type: 'string', format: 'uuid' },
    channel: { type: 'string' },
    address: { type: 'string', description: 'E.164 for sms / mms / whatsapp, lower-cased for email' },
    brandId: { type: ['string', 'null'] },
    campaignId: { type: ['string', 'null'] },
    registrationStatus: { type: 'string' },
    messagesPerSecond: { type: 'number' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const base = '/v1/connections/:id/senders';

export const senderRoutes = [
  defineRoute<SenderInput>({
    method: 'post',
    path: base,
    summary: 'Add a sender (number / address) to a connection',
    tag: 'Connections',
    scope: 'connections:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['channel', 'address'],
      properties: { channel: { type: 'string', pattern: CHANNEL_PATTERN }, address: { type: 'string', minLength: 1, maxLength: 320 }, ...registration },
    },
    response: senderSchema,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => createSender(tx, params.id!, body)),
  }),
  defineRoute({
    method: 'get',
    path: base,
    summary: "A connection's senders",
    tag: 'Connections',
    scope: 'connections:read',
    response: { type: 'object', properties: { data: { type: 'array', items: senderSchema } } },
    handler: async ({ engine, auth, params }) => ({ data: await engine.tenant(auth.orgId, (tx) => listSenders(tx, params.id!)) }),
  }),
  defineRoute({
    method: 'get',
    path: `${base}/:senderId`,
    summary: 'Get a sender',
    tag: 'Connections',
    scope: 'connections:read',
    response: senderSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getSender(tx, params.id!, params.senderId!)),
  }),
  defineRoute<SenderPatch>({
    method: 'patch',
    path: `${base}/:senderId`,
    summary: "Change a sender's registration or pace",
    tag: 'Connections',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, properties: registration },
    response: senderSchema,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => updateSender(tx, params.id!, params.senderId!, body)),
  }),
  defineRoute({
    method: 'delete',
    path: `${base}/:senderId`,
    summary: 'Remove a sender',
    tag: 'Connections',
    scope: 'connections:write',
    status: 204,
    handler: async ({ engine, auth, params }) => {
      await engine.tenant(auth.orgId, (tx) => deleteSender(tx, params.id!, params.senderId!));
      return undefined;
    },
  }),
];
