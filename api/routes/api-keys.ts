import { defineRoute } from '../http/route.ts';
import { apiKeyView, forgetPrincipals, insertApiKey } from '../../core/orgs.ts';
import { SCOPES } from '../../core/scopes.ts';
import { notFound, AppError } from '../../core/errors.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';

const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'api_key' },
    name: { type: 'string' },
    prefix: { type: 'string', description: 'First characters of the key, to recognise it' },
    scopes: { type: 'array', items: { enum: [...SCOPES] } },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

const view = (r: any) => ({ object: 'api_key', ...apiKeyView(r) });

export const apiKeyRoutes = [
  defineRoute<{ name: string; scopes: string[] }>({
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key (the secret is shown once, in this response only)',
    tag: 'API keys',
    scope: 'admin',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'scopes'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SCOPES] } },
      },
    },
    response: { ...keySchema, properties: { ...keySchema.properties, secret: { type: 'string' } } },
    handler: async ({ engine, auth, body, req }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const { key, secret } = await insertApiKey(tx.trx, tx.orgId, body);
        await recordAudit(tx, { ...auditBy({ auth, req }), action: 'api_key.created', target: { type: 'api_key', id: key.id }, details: { scopes: key.scopes } });
        return { object: 'api_key', ...key, secret };
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/api-keys',
    summary: "List the org's API keys (never their secrets)",
    tag: 'API keys',
    scope: 'admin',
    response: { type: 'object', properties: { data: { type: 'array', items: keySchema } } },
    handler: async ({ engine, auth }) =>
      engine.tenant(auth.orgId, async (tx) => ({ data: (await tx.trx('api_keys').orderBy('created_at')).map(view) })),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/api-keys/:id',
    summary: 'Revoke an API key (effective within seconds on every replica)',
    tag: 'API keys',
    scope: 'admin',
    response: keySchema,
    handler: async ({ engine, auth, params, req }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const row = await tx.trx('api_keys').where({ id: params.id }).first();
        if (!row) throw notFound('API key');
        if (params.id === auth.keyId) throw new AppError('unprocessable', 'An API key cannot revoke itself; use another admin key.');
        const [updated] = await tx.trx('api_keys')
          .where({ id: params.id })
          .update({ revoked_at: row.revoked_at ?? tx.trx.fn.now() })
          .returning('*');
        if (!row.revoked_at) await recordAudit(tx, { ...auditBy({ auth, req }), action: 'api_key.revoked', target: { type: 'api_key', id: params.id } });
        forgetPrincipals(engine.db, { keyId: params.id });
        return view(updated);
      }),
  }),
];
