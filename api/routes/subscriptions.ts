import { defineRoute } from '../http/route.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSecret,
  updateSubscription,
  type SubscriptionInput,
} from '../../core/webhooks/subscriptions.ts';
import { getDelivery, listDeliveries, redeliver, sendTestEvent } from '../../core/webhooks/deliveries.ts';
import { kick } from '../../core/webhooks/jobs.ts';
import { recordAudit } from '../../core/audit/record.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import { auditBy } from '../http/audit.ts';
import type { RouteContext } from '../http/route.ts';

/** Endpoint changes are audited: ids, the URL's host and field names, never the secret or the full URL (it may carry a token). */
function audit(tx: TenantTx, ctx: RouteContext, action: string, id: string, details?: Record<string, unknown>) {
  return recordAudit(tx, { ...auditBy(ctx), action: `subscription.${action}`, target: { type: 'subscription', id }, details });
}

/** Outbound webhooks (Standard Webhooks): an org's endpoints, their deliveries and attempts. */
const filterSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Every given criterion must hold; conversation criteria never match events outside a conversation.',
  properties: {
    conversationId: { type: 'string', format: 'uuid' },
    channel: { type: 'string', minLength: 1, maxLength: 64 },
    metadata: { type: 'object', maxProperties: 20, additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Conversation metadata values that must be equal' },
  },
};

const fields = {
  url: { type: 'string', minLength: 1, maxLength: 2048, description: 'https (plain http only to localhost when WEBHOOKS_ALLOW_PRIVATE)' },
  eventTypes: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 128 }, description: 'Exact types, prefixes like "message.*", or "*"' },
  filter: filterSchema,
  description: { type: ['string', 'null'], maxLength: 500 },
  enabled: { type: 'boolean' },
  retrySchedule: {
    type: ['array', 'null'],
    maxItems: 10,
    items: { type: 'integer', minimum: 1, maximum: 86_400 },
    description: 'Seconds to wait before each retry, e.g. [5, 60] (three attempts in all); null: the default schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)',
  },
};

const subscriptionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'subscription' },
    url: { type: 'string' },
    eventTypes: { type: 'array', items: { type: 'string' } },
    filter: { type: 'object' },
    description: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    status: { enum: ['active', 'disabled'] },
    disabledReason: { type: ['string', 'null'] },
    failingSince: { type: ['string', 'null'], format: 'date-time' },
    retrySchedule: { type: ['array', 'null'], items: { type: 'integer' }, description: 'Seconds before each retry; null: the default schedule' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    secret: { type: 'string', description: 'whsec_…; only in the answers of create and rotate-secret' },
  },
};

const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid', description: 'The webhook-id header, the same on every attempt' },
    object: { const: 'delivery' },
    subscriptionId: { type: 'string' },
    eventId: { type: 'string' },
    eventType: { type: 'string' },
    sequence: { type: 'integer', description: "The event's position in the org feed (the payload's sequence)" },
    conversationId: { type: ['string', 'null'] },
    status: { enum: ['pending', 'succeeded', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: ['string', 'null'] },
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    attemptLog: { type: 'array', items: { type: 'object' } },
  },
};

const base = '/v1/subscriptions';
const tag = 'Webhooks';

export const subscriptionRoutes = [
  defineRoute<SubscriptionInput>({
    method: 'post',
    path: base,
    summary: 'Subscribe an endpoint to events (answers the signing secret, once)',
    tag,
    scope: 'admin',
    status: 201,
    body: { type: 'object', additionalProperties: false, required: ['url', 'eventTypes'], properties: fields },
    response: subscriptionSchema,
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        const sub = await createSubscription(tx, ctx.body, ctx.engine.config.webhooksAllowPrivate);
        await audit(tx, ctx, 'created', sub.id, { host: new URL(sub.url).host, eventTypes: sub.eventTypes });
        return sub;
      }),
  }),
  defineRoute({
    method: 'get',
    path: base,
    summary: "The org's webhook subscriptions",
    tag,
    scope: 'admin',
    response: { type: 'object', properties: { data: { type: 'array', items: subscriptionSchema } } },
    handler: async ({ engine, auth }) => ({ data: await engine.tenant(auth.orgId, (tx) => listSubscriptions(tx)) }),
  }),
  defineRoute({
    method: 'get',
    path: `${base}/:id`,
    summary: 'Get a subscription',
    tag,
    scope: 'admin',
    response: subscriptionSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getSubscription(tx, params.id!)),
  }),
  defineRoute<Partial<SubscriptionInput>>({
    method: 'patch',
    path: `${base}/:id`,
    summary: 'Change a subscription (enabled: true re-enables a disabled endpoint)',
    tag,
    scope: 'admin',
    body: { type: 'object', additionalProperties: false, properties: fields },
    response: subscriptionSchema,
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        const sub = await updateSubscription(tx, ctx.params.id!, ctx.body, ctx.engine.config.webhooksAllowPrivate);
        await audit(tx, ctx, 'updated', sub.id, { fields: Object.keys(ctx.body), enabled: sub.enabled });
        return sub;
      }),
  }),
  defineRoute({
    method: 'delete',
    path: `${base}/:id`,
    summary: 'Delete a subscription and its delivery log',
    tag,
    scope: 'admin',
    status: 204,
    handler: async (ctx) => {
      await ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        await deleteSubscription(tx, ctx.params.id!);
        await audit(tx, ctx, 'deleted', ctx.params.id!);
      });
      return undefined;
    },
  }),
  defineRoute({
    method: 'post',
    path: `${base}/:id/rotate-secret`,
    summary: 'New signing secret; the previous one keeps signing beside it for 24 h',
    tag,
    scope: 'admin',
    response: subscriptionSchema,
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        const sub = await rotateSecret(tx, ctx.params.id!);
        await audit(tx, ctx, 'secret_rotated', sub.id);
        return sub;
      }),
  }),
  defineRoute({
    method: 'post',
    path: `${base}/:id/test`,
    summary: 'Send a webhook.test event to this endpoint',
    tag,
    scope: 'admin',
    status: 202,
    response: deliverySchema,
    handler: async ({ engine, auth, params }) => {
      const { view, ref } = await engine.tenant(auth.orgId, (tx) => sendTestEvent(tx, params.id!));
      await kick(engine, auth.orgId, [ref]);
      return view;
    },
  }),
  defineRoute<unknown, { status?: string; limit?: number; cursor?: string }>({
    method: 'get',
    path: `${base}/:id/deliveries`,
    summary: "A subscription's deliveries, newest first, with their attempts",
    tag,
    scope: 'admin',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { enum: ['pending', 'succeeded', 'failed'] },
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        cursor: { type: 'string', maxLength: 200 },
      },
    },
    response: { type: 'object', properties: { data: { type: 'array', items: deliverySchema }, nextCursor: { type: ['string', 'null'] }, hasMore: { type: 'boolean' } } },
    handler: ({ engine, auth, params, query }) => engine.tenant(auth.orgId, (tx) => listDeliveries(tx, params.id!, query)),
  }),
  defineRoute({
    method: 'get',
    path: `${base}/:id/deliveries/:deliveryId`,
    summary: 'A delivery with its attempts',
    tag,
    scope: 'admin',
    response: deliverySchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getDelivery(tx, params.id!, params.deliveryId!)),
  }),
  defineRoute({
    method: 'post',
    path: `${base}/:id/deliveries/:deliveryId/redeliver`,
    summary: 'Send a delivery again (same webhook-id, fresh retry schedule)',
    tag,
    scope: 'admin',
    status: 202,
    response: deliverySchema,
    handler: async ({ engine, auth, params }) => {
      const { view, ref } = await engine.tenant(auth.orgId, (tx) => redeliver(tx, params.id!, params.deliveryId!));
      await kick(engine, auth.orgId, [ref]);
      return view;
    },
  }),
];
