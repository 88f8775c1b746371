import { defineRoute } from '../http/route.ts';
import { listPlatformAudit, type PlatformAuditQuery } from '../../core/platforms/audit.ts';
import { platformIdOf } from './platform.ts';

/** GET /v1/platform/audit: the platform's own trail (core/platforms/audit.ts), newest first. */
const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'platform_audit_entry' },
    actor: { type: 'object', properties: { type: { enum: ['platform_key', 'cli'] }, id: { type: ['string', 'null'], description: 'The platform key (null: the operator CLI)' } } },
    action: {
      type: 'string',
      description:
        'org.created, org.updated, org.suspended, org.resumed, org.deleted, platform.updated, platform_key.created, platform_key.revoked, sign_in_token.created, or org.acted_on (a change made through Switchboard-Org: details.method, details.route, details.status)',
    },
    orgId: { type: ['string', 'null'], format: 'uuid' },
    target: { type: ['object', 'null'], properties: { type: { type: 'string' }, id: { type: ['string', 'null'] } } },
    details: { type: 'object', description: 'Ids, routes and counts; never content or personal data' },
    context: { type: 'object', properties: { ip: { type: ['string', 'null'] }, userAgentHash: { type: ['string', 'null'] } } },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export const platformAuditRoutes = [
  defineRoute<unknown, PlatformAuditQuery>({
    method: 'get',
    path: '/v1/platform/audit',
    summary: "The platform's own audit trail, newest first: its orgs created, changed, suspended and deleted, keys and sign-in tokens minted, and every change made acting on an org",
    tag: 'Platform',
    scope: 'platform:admin',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
        action: { type: 'string', maxLength: 1000, description: 'Comma-separated actions, e.g. org.created,org.deleted' },
        orgId: { type: 'string', format: 'uuid', description: 'Only entries about this org' },
      },
    },
    response: { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: entrySchema }, hasMore: { type: 'boolean' }, nextCursor: { type: ['string', 'null'] } } },
    handler: (ctx) => listPlatformAudit(ctx.engine.db, platformIdOf(ctx), ctx.query),
  }),
];
