import { defineRoute, type RouteContext } from '../http/route.ts';
import { AppError } from '../../core/errors.ts';
import { authorizeUrl, completeAuthorization, stateOrg } from '../../core/connections/oauth-install.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';

/** OAuth2 install of a connection: the consent URL, and the provider's redirect back to us. */
const deps = ({ engine }: RouteContext) => ({ connectors: engine.connectors, publicUrl: engine.config.publicUrl });

export const oauthRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/connections/:id/oauth/authorize',
    summary: "The provider's consent URL for this connection (state signed and bound to org + connection, valid 10 minutes; PKCE where supported)",
    tag: 'Connections',
    scope: 'connections:write',
    response: { type: 'object', properties: { url: { type: 'string', format: 'uri' }, expiresAt: { type: 'string', format: 'date-time' } } },
    handler: (ctx) => ctx.engine.tenant(ctx.auth.orgId, (tx) => authorizeUrl(tx, deps(ctx), ctx.params.id!)),
  }),
  defineRoute<unknown, { code: string; state: string }>({
    method: 'get',
    path: '/v1/oauth/callback',
    summary: "OAuth2 redirect target: exchanges the code and stores the tokens; parameters the connector declares (e.g. Intuit's realmId) are saved into the connection config (no API key: the signed state names the org and connection)",
    tag: 'Connections',
    scope: null,
    query: {
      type: 'object',
      required: ['code', 'state'],
      properties: { code: { type: 'string', minLength: 1, maxLength: 4096 }, state: { type: 'string', minLength: 1, maxLength: 2048 } },
    },
    response: { type: 'object', properties: { connectionId: { type: 'string', format: 'uuid' }, status: { const: 'authorized' }, scopes: { type: 'array', items: { type: 'string' } } } },
    handler: async (ctx) => {
      const orgId = stateOrg(ctx.query.state);
      try {
        const done = await ctx.engine.tenant(orgId, async (tx) => {
          // The whole query goes along: a connector may declare redirect parameters to keep (oauth.callbackConfig, e.g. Intuit's realmId).
          const out = await completeAuthorization(tx, deps(ctx), { code: ctx.query.code, state: ctx.query.state, query: ctx.query });
          await recordAudit(tx, { actor: { type: 'system', id: 'oauth_callback' }, action: 'connection.authorized', target: { type: 'connection', id: out.connectionId }, details: { scopes: out.scopes }, context: { ip: ctx.req.ip ?? null, userAgent: ctx.req.get('user-agent') ?? null } });
          return out;
        });
        return { connectionId: done.connectionId, status: 'authorized', scopes: done.scopes };
      } catch (err) {
        // An org id that is not ours (no key) must look exactly like a bad signature.
        if (err instanceof AppError) throw err;
        throw new AppError('validation_failed', 'Invalid or expired OAuth state.', { details: [{ field: '/state', reason: 'invalid or expired' }] });
      }
    },
  }),
];
