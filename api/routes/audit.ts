import { defineRoute } from '../http/route.ts';
import { listAudit, type AuditQuery } from '../../core/audit/list.ts';
import { verifyOrg } from '../../core/audit/verify.ts';

/** The org's audit trail and its verification (admin keys only). */
const tag = 'Audit';

const entry = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'audit_entry' },
    position: { type: 'integer', description: 'Place in the org’s chain, from 1' },
    actor: { type: 'object', properties: { type: { enum: ['api_key', 'user', 'system', 'cli', 'platform'] }, id: { type: ['string', 'null'] } } },
    action: { type: 'string', description: 'e.g. api_key.created, org.updated, contact.erased' },
    target: { type: ['object', 'null'], properties: { type: { type: 'string' }, id: { type: ['string', 'null'] } } },
    details: { type: 'object', description: 'Ids, codes and counts; never content or personal data' },
    context: { type: 'object', properties: { ip: { type: ['string', 'null'] }, userAgentHash: { type: ['string', 'null'] } } },
    createdAt: { type: 'string', description: 'With microseconds, as hashed' },
    prevHash: { type: 'string', description: 'Hex SHA-256 of the previous entry (zeros for the first)' },
    hash: { type: 'string', description: 'Hex SHA-256(prevHash || canonical JSON of this entry)' },
  },
};

const badEntry = {
  type: 'object',
  properties: {
    id: { type: ['string', 'null'] },
    position: { type: 'integer' },
    reason: { enum: ['edited', 'missing', 'reordered'] },
    message: { type: 'string' },
  },
};

export const auditRoutes = [
  defineRoute<unknown, AuditQuery>({
    method: 'get',
    path: '/v1/audit',
    summary: 'The audit trail, newest first (entries appear once sealed into the chain, within seconds)',
    tag,
    scope: 'admin',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        cursor: { type: 'string', description: 'nextCursor of the previous page' },
        action: { type: 'string', maxLength: 1000, description: 'Comma-separated actions, e.g. api_key.created,api_key.revoked' },
        targetType: { type: 'string', maxLength: 100 },
        targetId: { type: 'string', maxLength: 200 },
        actorId: { type: 'string', maxLength: 200 },
        since: { type: 'string', format: 'date-time' },
        until: { type: 'string', format: 'date-time', description: 'Exclusive' },
      },
    },
    response: { type: 'object', properties: { data: { type: 'array', items: entry }, nextCursor: { type: ['string', 'null'] }, hasMore: { type: 'boolean' } } },
    handler: ({ engine, auth, query }) => listAudit(engine.db, auth.orgId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/audit/verify',
    summary: 'Recompute the whole chain: ok, or the first edited, missing or reordered entry',
    tag,
    scope: 'admin',
    response: {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        checked: { type: 'integer' },
        head: { type: 'object', properties: { position: { type: 'integer' }, hash: { type: ['string', 'null'] } } },
        unsealed: { type: 'integer', description: 'Entries of transactions not yet settled (chained at the next seal)' },
        firstBad: badEntry,
      },
    },
    handler: async ({ engine, auth }) => {
      const { orgId: _org, ...result } = await verifyOrg(engine.db, auth.orgId);
      return result;
    },
  }),
];
