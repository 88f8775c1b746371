import { defineRoute, type RouteContext } from '../http/route.ts';
import { AppError } from '../../core/errors.ts';
import { authorizeUrl, completeAuthorization, recordAuthorizationDenied, stateOrg, stateReturnTo } from '../../core/connections/oauth-install.ts';
import { UnknownOrg } from '../../core/crypto/keyring.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';

/** OAuth2 install of a connection: the consent URL, and the provider's redirect back to us. */
const deps = ({ engine }: RouteContext) => ({ connectors: engine.connectors, publicUrl: engine.config.publicUrl });

/** The browser goes back to the dashboard page it came from, told how it went (`oauth=authorized|denied|failed`, `error=<code>`). */
function backToDashboard(ctx: RouteContext, returnTo: string, outcome: Record<string, string>) {
  const u = new URL(returnTo, 'http://x');
  for (const [k, v] of Object.entries(outcome)) u.searchParams.set(k, v);
  // A relative Location: the browser stays on the origin the provider sent it to (ours).
  ctx.res.redirect(303, u.pathname + u.search + u.hash);
  return undefined;
}

export const oauthRoutes = [
  defineRoute<unknown, { returnTo?: string }>({
    method: 'get',
    path: '/v1/connections/:id/oauth/authorize',
    summary:
      "The provider's consent URL for this connection (state signed and bound to org + connection, valid 10 minutes; PKCE where supported). With `returnTo` (a path on this server, e.g. the dashboard's connection page; other origins are refused) the callback answers 303 to it instead of JSON",
    tag: 'Connections',
    scope: 'connections:write',
    query: { type: 'object', additionalProperties: false, properties: { returnTo: { type: 'string', minLength: 1, maxLength: 500 } } },
    response: { type: 'object', properties: { url: { type: 'string', format: 'uri' }, expiresAt: { type: 'string', format: 'date-time' } } },
    handler: (ctx) => ctx.engine.tenant(ctx.auth.orgId, (tx) => authorizeUrl(tx, deps(ctx), ctx.params.id!, { returnTo: ctx.query.returnTo })),
  }),
  defineRoute<unknown, { code?: string; state: string; error?: string; error_description?: string }>({
    method: 'get',
    path: '/v1/oauth/callback',
    summary: "OAuth2 redirect target: exchanges the code and stores the tokens; parameters the connector declares (e.g. Intuit's realmId) are saved into the connection config (no API key: the signed state names the org and connection). A redirect with `error` (the admin did not grant access) is recorded as connection.authorization_denied and answered 422 authorization_denied. When the install was started with `returnTo`, the answer is instead 303 to that page with `oauth=authorized`, or `oauth=denied|failed&error=<code>`",
    tag: 'Connections',
    scope: null,
    query: {
      type: 'object',
      required: ['state'],
      properties: {
        code: { type: 'string', minLength: 1, maxLength: 4096 },
        state: { type: 'string', minLength: 1, maxLength: 2048 },
        error: { type: 'string', minLength: 1, maxLength: 200 },
        error_description: { type: 'string', maxLength: 2000 },
      },
    },
    response: { type: 'object', properties: { connectionId: { type: 'string', format: 'uuid' }, status: { const: 'authorized' }, scopes: { type: 'array', items: { type: 'string' } } } },
    handler: async (ctx) => {
      const orgId = stateOrg(ctx.query.state);
      const { code, error } = ctx.query;
      if (!code && !error) throw new AppError('validation_failed', 'The redirect carries neither a code nor an error.', { details: [{ field: '/code', reason: 'required' }] });
      let returnTo: string | null = null;
      try {
        returnTo = await ctx.engine.tenant(orgId, async (tx) => stateReturnTo(tx, ctx.query.state));
        if (error) {
          await ctx.engine.tenant(orgId, (tx) => recordAuthorizationDenied(tx, { state: ctx.query.state, error, ...(ctx.query.error_description ? { description: ctx.query.error_description } : {}) }));
          const why = ctx.query.error_description ? ` (${ctx.query.error_description})` : '';
          throw new AppError('authorization_denied', `The provider did not grant access: ${error}${why}. Start again from GET /v1/connections/{id}/oauth/authorize.`, { details: [{ field: '/error', reason: error }] });
        }
        const done = await ctx.engine.tenant(orgId, async (tx) => {
          // The whole query goes along: a connector may declare redirect parameters to keep (oauth.callbackConfig, e.g. Intuit's realmId).
          const out = await completeAuthorization(tx, deps(ctx), { code: code!, state: ctx.query.state, query: ctx.query });
          await recordAudit(tx, { actor: { type: 'system', id: 'oauth_callback' }, action: 'connection.authorized', target: { type: 'connection', id: out.connectionId }, details: { scopes: out.scopes }, context: { ip: ctx.req.ip ?? null, userAgent: ctx.req.get('user-agent') ?? null } });
          return out;
        });
        if (returnTo) return backToDashboard(ctx, returnTo, { oauth: 'authorized' });
        return { connectionId: done.connectionId, status: 'authorized', scopes: done.scopes };
      } catch (err) {
        if (returnTo && err instanceof AppError) return backToDashboard(ctx, returnTo, { oauth: err.code === 'authorization_denied' ? 'denied' : 'failed', error: err.code });
        // An org id that is not ours (no keys) must look exactly like a bad signature.
        if (err instanceof UnknownOrg) throw new AppError('validation_failed', 'Invalid or expired OAuth state.', { details: [{ field: '/state', reason: 'invalid or expired' }] });
        throw err;
      }
    },
  }),
];
