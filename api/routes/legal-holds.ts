import { defineRoute } from '../http/route.ts';
import { actorRef, auditBy } from '../http/audit.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { createHold, getHold, listHolds, releaseHold, type HoldQuery, type HoldTarget } from '../../core/compliance/legal-holds.ts';

/** Legal holds: suspend retention (and GDPR erasure) for a conversation or a contact. */
const holdSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'legal_hold' },
    targetType: { enum: ['conversation', 'contact'] },
    targetId: { type: 'string', format: 'uuid' },
    reason: { type: 'string' },
    createdBy: { type: 'string', description: 'Who placed the hold: user:<id> (a dashboard session), api_key:<id> or platform:<id>' },
    createdAt: { type: 'string', format: 'date-time' },
    releasedAt: { type: ['string', 'null'], format: 'date-time' },
    releasedBy: { type: ['string', 'null'] },
  },
};

export const legalHoldRoutes = [
  defineRoute<{ targetType: HoldTarget; targetId: string; reason: string }>({
    method: 'post',
    path: '/v1/legal-holds',
    summary: 'Place a legal hold on a conversation or a contact (all their conversations): retention stops purging their messages',
    tag: 'Compliance',
    scope: 'admin',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['targetType', 'targetId', 'reason'],
      properties: {
        targetType: { enum: ['conversation', 'contact'] },
        targetId: { type: 'string', format: 'uuid' },
        reason: { type: 'string', minLength: 1, maxLength: 1000, description: 'Why (a matter or case reference); kept with the hold.' },
      },
    },
    response: holdSchema,
    handler: ({ engine, auth, req, body }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const hold = await createHold(tx, body, actorRef(auth));
        const target = { type: hold.targetType, id: hold.targetId };
        await recordAudit(tx, { ...auditBy({ auth, req }), action: 'legal_hold.created', target, details: { holdId: hold.id } });
        return hold;
      }),
  }),
  defineRoute<unknown, HoldQuery>({
    method: 'get',
    path: '/v1/legal-holds',
    summary: "The org's legal holds, newest first",
    tag: 'Compliance',
    scope: 'admin',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { enum: ['active', 'released', 'all'], default: 'all' },
        targetType: { enum: ['conversation', 'contact'] },
        targetId: { type: 'string', format: 'uuid' },
        cursor: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      },
    },
    response: {
      type: 'object',
      properties: { data: { type: 'array', items: holdSchema }, nextCursor: { type: ['string', 'null'] }, hasMore: { type: 'boolean' } },
    },
    handler: ({ engine, auth, query }) => engine.tenant(auth.orgId, (tx) => listHolds(tx, query)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/legal-holds/:id',
    summary: 'Get a legal hold',
    tag: 'Compliance',
    scope: 'admin',
    response: holdSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getHold(tx, params.id!)),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/legal-holds/:id',
    summary: 'Release a legal hold (the hold is kept, with releasedAt); retention resumes at its next run',
    tag: 'Compliance',
    scope: 'admin',
    response: holdSchema,
    handler: ({ engine, auth, req, params }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const { hold, changed } = await releaseHold(tx, params.id!, actorRef(auth));
        const target = { type: hold.targetType, id: hold.targetId };
        if (changed) await recordAudit(tx, { ...auditBy({ auth, req }), action: 'legal_hold.released', target, details: { holdId: hold.id } });
        return hold;
      }),
  }),
];
