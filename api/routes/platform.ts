import { defineRoute, type RouteContext } from '../http/route.ts';
import { withPlatform } from '../../core/db/tenant.ts';
import { forgetPlatformKey, insertPlatformKey, platformKeyView, platformView } from '../../core/platforms/platforms.ts';
import { brandingSchema } from '../../core/platforms/branding.ts';
import { PLATFORM_SCOPES } from '../../core/scopes.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { isUniqueViolation } from '../../core/identity/savepoint.ts';
import { recordPlatformAudit, type PlatformCaller } from '../../core/platforms/audit.ts';

/**
 * The platform itself (name, default branding, custom dashboard domains) and its API keys.
 * Every statement runs with the platform setting (RLS): another platform's rows do not exist here.
 */
export const platformIdOf = (ctx: Pick<RouteContext, 'auth'>) => ctx.auth.platformId!;

/** The calling platform key, for audit entries (the org's trail and the platform's own). */
export const platformCaller = (ctx: Pick<RouteContext, 'auth' | 'req'>): PlatformCaller => ({
  type: 'platform',
  id: platformIdOf(ctx),
  keyId: ctx.auth.keyId,
  context: { ip: ctx.req.ip ?? null, userAgent: ctx.req.get('user-agent') ?? null },
});

const platformSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'platform' },
    name: { type: 'string' },
    branding: brandingSchema,
    domains: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'platform_key' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    scopes: { type: 'array', items: { enum: [...PLATFORM_SCOPES] } },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const DOMAIN = '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}(:[0-9]{1,5})?$';

export const platformRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/platform',
    summary: 'The platform this key belongs to: name, default branding, dashboard domains',
    tag: 'Platform',
    scope: 'platform:orgs',
    response: platformSchema,
    handler: (ctx) =>
      withPlatform(ctx.engine.db, platformIdOf(ctx), async (trx) => platformView(trx, await trx('platforms').where({ id: platformIdOf(ctx) }).first())),
  }),
  defineRoute<{ name?: string; branding?: Record<string, unknown>; domains?: string[] }>({
    method: 'patch',
    path: '/v1/platform',
    summary: "Rename the platform, set its default branding (its orgs' fallback) or its dashboard domains (Host-based branding)",
    tag: 'Platform',
    scope: 'platform:admin',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        branding: brandingSchema,
        domains: { type: 'array', maxItems: 20, uniqueItems: true, items: { type: 'string', pattern: DOMAIN, maxLength: 253 } },
      },
    },
    response: platformSchema,
    handler: (ctx) =>
      withPlatform(ctx.engine.db, platformIdOf(ctx), async (trx) => {
        const id = platformIdOf(ctx);
        const { name, branding, domains } = ctx.body;
        if (name || branding) await trx('platforms').where({ id }).update({ ...(name ? { name } : {}), ...(branding ? { branding } : {}) });
        if (domains) {
          await trx('platform_domains').where({ platform_id: id }).delete();
          try {
            await trx.raw('SAVEPOINT domains');
            if (domains.length) await trx('platform_domains').insert(domains.map((d) => ({ domain: d.toLowerCase(), platform_id: id })));
          } catch (err) {
            if (!isUniqueViolation(err)) throw err;
            await trx.raw('ROLLBACK TO SAVEPOINT domains');
            throw new AppError('conflict', 'One of these domains is served for another platform.', { details: [{ field: '/domains', reason: 'is taken' }] });
          }
        }
        await recordPlatformAudit(trx, platformCaller(ctx), { action: 'platform.updated', target: { type: 'platform', id }, details: { fields: Object.keys(ctx.body) } });
        return platformView(trx, await trx('platforms').where({ id }).first());
      }),
  }),
  defineRoute<{ name: string; scopes: string[] }>({
    method: 'post',
    path: '/v1/platform/keys',
    summary: 'Create a platform API key (sbp_live_…, shown once, in this response only)',
    tag: 'Platform',
    scope: 'platform:admin',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'scopes'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...PLATFORM_SCOPES] } },
      },
    },
    response: { ...keySchema, properties: { ...keySchema.properties, secret: { type: 'string' } } },
    handler: (ctx) =>
      withPlatform(ctx.engine.db, platformIdOf(ctx), async (trx) => {
        const { key, secret } = await insertPlatformKey(trx, platformIdOf(ctx), ctx.body);
        await recordPlatformAudit(trx, platformCaller(ctx), { action: 'platform_key.created', target: { type: 'platform_key', id: key.id }, details: { scopes: key.scopes } });
        return { ...key, secret };
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/platform/keys',
    summary: "The platform's API keys (never their secrets)",
    tag: 'Platform',
    scope: 'platform:admin',
    response: { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: keySchema } } },
    handler: (ctx) =>
      withPlatform(ctx.engine.db, platformIdOf(ctx), async (trx) => ({ object: 'list', data: (await trx('platform_keys').orderBy('created_at')).map(platformKeyView) })),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/platform/keys/:id',
    summary: 'Revoke a platform API key',
    tag: 'Platform',
    scope: 'platform:admin',
    response: keySchema,
    handler: (ctx) =>
      withPlatform(ctx.engine.db, platformIdOf(ctx), async (trx) => {
        const row = await trx('platform_keys').where({ id: ctx.params.id }).first();
        if (!row) throw notFound('platform key');
        if (row.id === ctx.auth.keyId) throw new AppError('unprocessable', 'A key cannot revoke itself; use another platform:admin key.');
        const [updated] = await trx('platform_keys').where({ id: row.id }).update({ revoked_at: row.revoked_at ?? trx.fn.now() }).returning('*');
        if (!row.revoked_at) await recordPlatformAudit(trx, platformCaller(ctx), { action: 'platform_key.revoked', target: { type: 'platform_key', id: row.id } });
        forgetPlatformKey(ctx.engine.db, row.id);
        return platformKeyView(updated);
      }),
  }),
];
