import { CANONICAL_STATUSES, FAILURE_REASONS } from './types.ts';

/**
 * JSON Schema of the normalized events mapInbound produces. Every event a manifest emits is checked
 * against it, so the engine never ingests an event with a missing id or a malformed handle.
 */
const handle = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'value'],
  properties: { kind: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' }, value: { type: 'string', minLength: 1 } },
};
const address = {
  type: 'object',
  additionalProperties: false,
  required: ['address'],
  properties: { address: { type: 'string', minLength: 1 } },
};
const id = { type: 'string', minLength: 1, maxLength: 512 };
const channel = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,31}$' };
const object = { type: 'object' };

const variants = {
  message: {
    required: ['kind', 'channel', 'from', 'to', 'providerMessageId', 'body', 'media'],
    properties: {
      channel,
      from: handle,
      to: address,
      providerMessageId: id,
      body: { type: 'string' },
      subject: { type: 'string' },
      media: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: {
            url: { type: 'string', minLength: 1 },
            contentType: { type: 'string' },
            filename: { type: 'string' },
            size: { type: 'integer', minimum: 0 },
          },
        },
      },
      email: {
        type: 'object',
        additionalProperties: false,
        properties: {
          messageId: { type: 'string' },
          inReplyTo: { type: 'string' },
          references: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
      },
      metadata: object,
      raw: {},
    },
  },
  status: {
    required: ['kind', 'providerMessageId', 'status', 'providerStatus'],
    properties: {
      providerMessageId: id,
      status: { enum: [...CANONICAL_STATUSES] },
      providerStatus: { type: 'string', minLength: 1 },
      errorCode: { type: 'string', minLength: 1 },
      reason: { enum: [...FAILURE_REASONS] },
      retryable: { type: 'boolean' },
    },
  },
  consent: {
    required: ['kind', 'channel', 'from'],
    properties: { channel, from: handle, to: address, providerMessageId: id, keyword: { type: 'string' } },
  },
  contact_update: {
    required: ['kind', 'handle'],
    properties: { handle, name: { type: 'string' }, externalId: id, attributes: object },
  },
  external_event: {
    required: ['kind', 'type', 'data'],
    properties: {
      type: { type: 'string', pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$' },
      externalId: id,
      occurredAt: { type: 'string', format: 'date-time' },
      subject: handle,
      data: object,
    },
  },
};

function variant(kinds: string[], v: { required: string[]; properties: Record<string, unknown> }) {
  return {
    if: { properties: { kind: { enum: kinds } } },
    then: { additionalProperties: false, required: v.required, properties: { kind: {}, ...v.properties } },
  };
}

export const normalizedEventSchema = {
  $id: 'https://switchboard.dev/schemas/normalized-event.v1.json',
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['message', 'status', 'opt_out', 'opt_in', 'help', 'contact_update', 'external_event'] } },
  allOf: [
    variant(['message'], variants.message),
    variant(['status'], variants.status),
    variant(['opt_out', 'opt_in', 'help'], variants.consent),
    variant(['contact_update'], variants.contact_update),
    variant(['external_event'], variants.external_event),
  ],
} as const;
