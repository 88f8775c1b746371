import { defineRoute, type RouteContext } from '../http/route.ts';
import { withPlatformOrg, createPlatformOrg, deletePlatformOrg, limitsSchema, listPlatformOrgs, platformOrgView, setSuspended, updatePlatformOrg, type NewPlatformOrg, type OrgChange } from '../../core/platforms/orgs.ts';
import { brandingSchema } from '../../core/platforms/branding.ts';
import { processHeldWebhooks } from '../../core/platforms/held-webhooks.ts';
import { mintSignInToken, SIGN_IN_DEFAULT_SECONDS, SIGN_IN_MAX_SECONDS, type MintInput } from '../../core/platforms/sign-in.ts';
import { platformCaller as actorOf, platformIdOf } from './platform.ts';

/**
 * A platform's orgs: create (with the org's first admin API key, shown once), list, read, update
 * (name, branding, limits), suspend / resume, delete (crypto-shredding, the operators' path), and
 * sign-in tokens for their dashboard users. Everything else about one org — its API keys
 * (POST /v1/api-keys), dashboard users (POST /v1/users), connections, sends — is the org's own
 * API, called with `Switchboard-Org: <org id>` (api/http/org-header.ts).
 */

const orgSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'org' },
    name: { type: 'string' },
    status: { enum: ['active', 'suspended'] },
    branding: brandingSchema,
    limits: limitsSchema,
    createdAt: { type: 'string', format: 'date-time' },
    suspendedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const TAG = 'Platform orgs';

/** Another platform's org (or none) is a 404 before the body is looked at. */
const ownOrg = (ctx: Pick<RouteContext, 'engine' | 'auth' | 'params'>) => withPlatformOrg(ctx.engine.db, platformIdOf(ctx), ctx.params.id!, async () => undefined);

export const platformOrgRoutes = [
  defineRoute<NewPlatformOrg>({
    method: 'post',
    path: '/v1/platform/orgs',
    summary: "Create an org under this platform; answers its first admin API key once",
    tag: TAG,
    scope: 'platform:orgs',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        settings: { type: 'object', description: 'Initial org settings (the org schema of GET /v1/org).' },
        branding: brandingSchema,
        limits: limitsSchema,
      },
    },
    response: { type: 'object', properties: { org: orgSchema, apiKey: { type: 'string', description: 'sb_live_… with the admin scope, shown once' } } },
    handler: (ctx) => createPlatformOrg(ctx.engine, platformIdOf(ctx), ctx.body, actorOf(ctx)),
  }),
  defineRoute<unknown, { limit?: string; cursor?: string }>({
    method: 'get',
    path: '/v1/platform/orgs',
    summary: "The platform's orgs (oldest first)",
    tag: TAG,
    scope: 'platform:orgs',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$' }, cursor: { type: 'string', format: 'uuid' } },
    },
    response: { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: orgSchema }, hasMore: { type: 'boolean' }, nextCursor: { type: ['string', 'null'] } } },
    handler: (ctx) => listPlatformOrgs(ctx.engine.db, platformIdOf(ctx), { limit: Math.min(Math.max(Number(ctx.query.limit ?? 100), 1), 100), cursor: ctx.query.cursor }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/platform/orgs/:id',
    before: ownOrg,
    summary: 'One of the platform’s orgs',
    tag: TAG,
    scope: 'platform:orgs',
    response: orgSchema,
    handler: (ctx) => withPlatformOrg(ctx.engine.db, platformIdOf(ctx), ctx.params.id!, async (_trx, row) => platformOrgView(row)),
  }),
  defineRoute<OrgChange>({
    method: 'patch',
    path: '/v1/platform/orgs/:id',
    before: ownOrg,
    summary: "Rename an org, set its branding (null clears it) or its limits (monthlyMessages: {limit, hard}; null removes)",
    tag: TAG,
    scope: 'platform:orgs',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        branding: { ...brandingSchema, type: ['object', 'null'] },
        limits: limitsSchema,
      },
    },
    response: orgSchema,
    handler: (ctx) => updatePlatformOrg(ctx.engine, platformIdOf(ctx), ctx.params.id!, ctx.body, actorOf(ctx)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/platform/orgs/:id/suspend',
    before: ownOrg,
    summary: "Suspend an org: its API keys and sessions get 401 org_suspended; its provider webhooks are stored and acknowledged but held until it is resumed",
    tag: TAG,
    scope: 'platform:orgs',
    response: orgSchema,
    handler: (ctx) => setSuspended(ctx.engine, platformIdOf(ctx), ctx.params.id!, true, actorOf(ctx)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/platform/orgs/:id/resume',
    before: ownOrg,
    summary: 'Resume a suspended org; the webhooks held meanwhile are processed in arrival order',
    tag: TAG,
    scope: 'platform:orgs',
    response: { ...orgSchema, properties: { ...orgSchema.properties, heldWebhooks: { type: 'object', properties: { processed: { type: 'integer' }, failed: { type: 'integer' } } } } },
    handler: async (ctx) => {
      const org = await setSuspended(ctx.engine, platformIdOf(ctx), ctx.params.id!, false, actorOf(ctx));
      return { ...org, heldWebhooks: await processHeldWebhooks(ctx.engine, org.id) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/platform/orgs/:id',
    before: ownOrg,
    summary: "Delete an org by crypto-shredding: its keys are destroyed, so everything it stored is unreadable, here and in every backup",
    tag: TAG,
    scope: 'platform:orgs',
    handler: async (ctx) => {
      await deletePlatformOrg(ctx.engine, platformIdOf(ctx), ctx.params.id!, actorOf(ctx));
      return undefined;
    },
  }),
  defineRoute<MintInput>({
    method: 'post',
    path: '/v1/platform/orgs/:id/sign-in-tokens',
    before: ownOrg,
    summary: 'A short-lived, single-use sign-in token for one dashboard user of the org; the dashboard exchanges it (POST /v1/sessions/exchange) for a session',
    tag: TAG,
    scope: 'platform:sign-in',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      oneOf: [{ required: ['userId'] }, { required: ['email'] }],
      properties: {
        userId: { type: 'string', format: 'uuid' },
        email: { type: 'string', maxLength: 254 },
        expiresInSeconds: { type: 'integer', minimum: 10, maximum: SIGN_IN_MAX_SECONDS, default: SIGN_IN_DEFAULT_SECONDS },
      },
    },
    response: { type: 'object', properties: { object: { const: 'sign_in_token' }, token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, orgId: { type: 'string' }, userId: { type: 'string' } } },
    handler: (ctx) => mintSignInToken(ctx.engine.db, platformIdOf(ctx), ctx.params.id!, ctx.body, actorOf(ctx)),
  }),
];
