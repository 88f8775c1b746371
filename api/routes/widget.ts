import type { NextFunction, Request, Response } from 'express';
import type { Engine } from '../../core/engine.ts';
import { AppError } from '../../core/errors.ts';
import { createMemoryRateLimiter, type RateLimiter } from '../../core/ratelimit.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import { normalizeOrigin, originAllowed } from '../../core/widget/identity.ts';
import { createPublishableKey, listPublishableKeys, lookupPublishableKey, revokePublishableKey, setWidgetOptions, widgetOptionsOf } from '../../core/widget/keys.ts';
import { segmentMetadataSchema, widgetOptionsSchema, type WidgetOptions } from '../../core/widget/options.ts';
import { identifyVisitor, loadWidgetConnection, type WidgetConnection } from '../../core/widget/visitors.ts';
import { listVisitorMessages, postVisitorMessage, visitorConversationId, type SessionRef } from '../../core/widget/conversation.ts';
import { defineRoute } from '../http/route.ts';
import { brandingViewSchema, effectiveBranding, refuseSuspended } from '../../core/platforms/branding.ts';
import { signRealtimeToken, verifyRealtimeToken, type RealtimeClaims } from '../realtime/tokens.ts';
import { MAX_BODY_CHARS } from './messages.ts';
import { pageOf, pageQuery } from './conversations.ts';

/**
 * The chat widget's API: no API key (it runs in visitors' browsers) but a publishable key, the
 * page's Origin checked against the connection's allowed origins, and, when the connection
 * requires it, the host app's HMAC of the user id. A session is a short-lived token (the realtime
 * token format, audience "widget") bound to the org, the connection and the visitor; it reaches
 * only that visitor's conversation on that connection. CORS is answered for these paths only.
 */
export const WIDGET_PREFIX = '/v1/widget/';
export const SESSION_HEADER = 'x-widget-session';
const SESSION_TTL_S = 3600;
const REALTIME_TTL_S = 600;
/** Per session and minute: a person typing, not a script. */
const WRITES_PER_MINUTE = 30;
const READS_PER_MINUTE = 240;

/**
 * Preflight for the widget paths. It may answer any origin: a preflight grants nothing by itself,
 * and the origin is checked against the connection (named by the key or the session, which a
 * preflight does not carry) on the request that follows.
 */
export function widgetCors(req: Request, res: Response, next: NextFunction): void {
  if (!req.path.startsWith(WIDGET_PREFIX) || req.method !== 'OPTIONS') return next();
  const origin = req.get('origin');
  res.setHeader('Vary', 'Origin');
  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  res.setHeader('Access-Control-Allow-Headers', `content-type, ${SESSION_HEADER}`);
  res.setHeader('Access-Control-Max-Age', '600');
  res.status(204).end();
}

/**
 * Checks the page's Origin against the connection, then lets that origin read the answer (errors
 * included). A refused browser origin may read its 403 too: the refusal holds nothing but itself,
 * and without it the widget could not tell "this site is not allowed" from a network failure.
 */
function admitOrigin(conn: WidgetConnection, req: Request, res: Response): void {
  const origin = req.get('origin');
  res.setHeader('Vary', 'Origin');
  if (!originAllowed(conn.config, origin)) {
    const readable = normalizeOrigin(origin);
    if (readable) res.setHeader('Access-Control-Allow-Origin', readable);
    throw new AppError('forbidden', `Origin ${origin ? `"${origin}"` : '(none)'} is not allowed to use this chat. Add it to the connection's allowedOrigins.`);
  }
  res.setHeader('Access-Control-Allow-Origin', origin!);
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
}

// The API's own limiter when the app shares it (Redis across replicas), else one per process.
const fallbackLimiter = createMemoryRateLimiter();
async function limit(req: Request, key: string, perMinute: number): Promise<void> {
  const limiter = (req.app?.locals?.rateLimiter as RateLimiter | undefined) ?? fallbackLimiter;
  const wait = await limiter.hit(`widget:${key}`, perMinute);
  if (wait > 0) throw new AppError('rate_limited', 'Too many chat requests. Slow down and retry after the given delay.', { retryAfter: wait });
}

interface WidgetSession extends SessionRef {
  orgId: string;
  keyId: string;
  exp: number;
}

async function sessionOf(engine: Engine, req: Request): Promise<WidgetSession> {
  const token = req.get(SESSION_HEADER);
  if (!token) throw new AppError('unauthorized', `Send the session token from POST /v1/widget/sessions in the ${SESSION_HEADER} header.`);
  const claims: RealtimeClaims = await verifyRealtimeToken(engine, token).catch(() => {
    throw new AppError('unauthorized', 'Invalid or expired widget session. Open a new one with POST /v1/widget/sessions.');
  });
  if (claims.audience !== 'widget' || !claims.visitor || !claims.connectionId || claims.conversationId) {
    throw new AppError('unauthorized', 'Not a widget session token. Open one with POST /v1/widget/sessions.');
  }
  return { orgId: claims.orgId, keyId: claims.keyId, visitor: claims.visitor, connectionId: claims.connectionId, exp: claims.exp };
}

/** Runs fn for a session: token → rate limit → in one tenant transaction, the connection and the Origin, then fn. */
async function withSession<T>(
  ctx: { engine: Engine; req: Request; res: Response },
  perMinute: number,
  fn: (tx: TenantTx, s: WidgetSession) => Promise<T>,
): Promise<T> {
  const s = await sessionOf(ctx.engine, ctx.req);
  await limit(ctx.req, `${s.keyId}:${s.visitor}`, perMinute);
  return ctx.engine.tenant(s.orgId, async (tx) => {
    admitOrigin(await loadWidgetConnection(tx, s.connectionId), ctx.req, ctx.res);
    // A session opened before the org was suspended ends with the suspension, not at its expiry.
    await refuseSuspended(tx);
    return fn(tx, s);
  });
}

const visitorMessageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'message' },
    conversationId: { type: 'string', format: 'uuid' },
    author: { type: 'string', enum: ['visitor', 'agent'] },
    authorName: { type: ['string', 'null'], description: "The agent's display name (message metadata authorName), if the sender gave one" },
    body: { type: ['string', 'null'] },
    media: { type: 'array', items: { type: 'object' } },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'publishable_key' },
    connectionId: { type: 'string', format: 'uuid' },
    prefix: { type: 'string' },
    widgetOptions: widgetOptionsSchema,
    key: {
      type: ['string', 'null'],
      description: "The key itself, for the page's snippet. Public by design (like Stripe's pk_live_), so it is kept and listed; null for a key created before keys were kept",
    },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
  },
};

interface SessionBody {
  publishableKey: string;
  userId?: string;
  userHash?: string;
  visitorId?: string;
  name?: string;
  email?: string;
  phone?: string;
}

export const widgetRoutes = [
  defineRoute({
    method: 'post',
    path: '/v1/connections/:id/publishable-keys',
    summary: 'Create a publishable key (pk_live_…) for a web chat connection: the key the widget embeds (public: it is listed too)',
    tag: 'Widget',
    scope: 'connections:write',
    status: 201,
    body: { type: 'object', additionalProperties: false, properties: { widgetOptions: widgetOptionsSchema } },
    response: keySchema,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => createPublishableKey(tx, params.id!, body.widgetOptions)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/connections/:id/publishable-keys',
    summary: "A web chat connection's publishable keys, each whole (public by design) with its widget options",
    tag: 'Widget',
    scope: 'connections:read',
    response: { type: 'object', properties: { data: { type: 'array', items: keySchema } } },
    handler: async ({ engine, auth, params }) => ({ data: await engine.tenant(auth.orgId, (tx) => listPublishableKeys(tx, params.id!)) }),
  }),
  defineRoute<{ widgetOptions: WidgetOptions }>({
    method: 'patch',
    path: '/v1/connections/:id/publishable-keys/:keyId',
    summary: "Set a publishable key's widget options (replaces them): the widget reads them at its next session, so the page's snippet never changes",
    tag: 'Widget',
    scope: 'connections:write',
    body: { type: 'object', additionalProperties: false, required: ['widgetOptions'], properties: { widgetOptions: widgetOptionsSchema } },
    response: keySchema,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => setWidgetOptions(tx, params.id!, params.keyId!, body.widgetOptions)),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/connections/:id/publishable-keys/:keyId',
    summary: 'Revoke a publishable key: sessions opened with it stop working at once',
    tag: 'Widget',
    scope: 'connections:write',
    response: keySchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => revokePublishableKey(tx, params.id!, params.keyId!)),
  }),
  defineRoute<SessionBody>({
    method: 'post',
    path: '/v1/widget/sessions',
    summary:
      'Open a chat session from a page (no API key): publishable key, Origin in the allowed origins, and the app user ' +
      '(userId, with userHash = hex HMAC-SHA256(identity secret, userId) when required) or an anonymous visitor (visitorId to resume). ' +
      `Returns a short-lived token for the ${SESSION_HEADER} header.`,
    tag: 'Widget',
    scope: null,
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['publishableKey'],
      properties: {
        publishableKey: { type: 'string', minLength: 1, maxLength: 200 },
        userId: { type: 'string', minLength: 1, maxLength: 200 },
        userHash: { type: 'string', maxLength: 200 },
        visitorId: { type: 'string', maxLength: 100, description: 'An anonymous visitor id returned by an earlier session' },
        name: { type: 'string', maxLength: 200 },
        email: { type: 'string', maxLength: 320, description: 'Kept only for a verified app user (valid userHash); links to the contact who emailed from it' },
        phone: { type: 'string', maxLength: 32, description: 'Kept only for a verified app user; links to the contact who texted from it' },
      },
    },
    response: {
      type: 'object',
      properties: {
        token: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
        visitorId: { type: 'string', description: 'Anonymous visitors: keep it and send it back to resume the conversation' },
        conversationId: { type: ['string', 'null'], format: 'uuid' },
        options: { ...widgetOptionsSchema, description: "The publishable key's widget options" },
        branding: brandingViewSchema,
      },
    },
    handler: async ({ engine, req, res, body }) => {
      const ref = await lookupPublishableKey(engine.db, body.publishableKey);
      if (!ref) throw new AppError('unauthorized', 'Unknown or revoked publishable key, or the chat is not available.');
      await limit(req, `sessions:${ref.keyId}:${req.ip}`, WRITES_PER_MINUTE);
      const { visitor, conversationId, options, branding } = await engine.tenant(ref.orgId, async (tx) => {
        const conn = await loadWidgetConnection(tx, ref.connectionId);
        admitOrigin(conn, req, res);
        await refuseSuspended(tx);
        const v = await identifyVisitor(tx, conn, body);
        const conversationId = await visitorConversationId(tx, { visitor: v.handle, connectionId: conn.id });
        // White-label: the widget themes itself (name, logo, colours) from the org's effective branding.
        return { visitor: v, conversationId, options: await widgetOptionsOf(tx, ref.keyId), branding: await effectiveBranding(tx.trx, tx.orgId) };
      });
      const exp = Math.floor(Date.now() / 1000) + SESSION_TTL_S;
      const token = signRealtimeToken(engine, { orgId: ref.orgId, keyId: ref.keyId, exp, audience: 'widget', visitor: visitor.handle, connectionId: ref.connectionId });
      return { token, expiresAt: new Date(exp * 1000).toISOString(), ...(visitor.visitorId ? { visitorId: visitor.visitorId } : {}), conversationId, options, branding };
    },
  }),
  defineRoute<{ body: string; clientMessageId?: string; metadata?: Record<string, string> }>({
    method: 'post',
    path: '/v1/widget/messages',
    summary: `The visitor writes (session token in ${SESSION_HEADER}); clientMessageId makes a retry safe`,
    tag: 'Widget',
    scope: null,
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['body'],
      properties: {
        body: { type: 'string', minLength: 1, maxLength: MAX_BODY_CHARS },
        clientMessageId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
        metadata: segmentMetadataSchema,
      },
    },
    response: visitorMessageSchema,
    handler: async (ctx) => {
      if (!ctx.body.body.trim()) throw new AppError('validation_failed', '/body: must not be blank', { details: [{ field: '/body', reason: 'must not be blank' }] });
      const r = await withSession(ctx, WRITES_PER_MINUTE, (tx, s) => postVisitorMessage(tx, s, ctx.body));
      return r.message;
    },
  }),
  defineRoute<unknown, { cursor?: string; limit?: number }>({
    method: 'get',
    path: '/v1/widget/messages',
    summary: "The visitor's conversation, newest message first",
    tag: 'Widget',
    scope: null,
    query: { type: 'object', additionalProperties: false, properties: pageQuery },
    response: { ...pageOf(visitorMessageSchema), properties: { ...pageOf(visitorMessageSchema).properties, conversationId: { type: ['string', 'null'] } } },
    handler: (ctx) => withSession(ctx, READS_PER_MINUTE, (tx, s) => listVisitorMessages(tx, s, ctx.query)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/widget/realtime-tokens',
    summary: "A token for the WebSocket GET /v1/realtime?token=…, bound to the visitor's conversation (new messages only, visitor view)",
    tag: 'Widget',
    scope: null,
    status: 201,
    body: { type: 'object', additionalProperties: false, properties: {} },
    response: {
      type: 'object',
      properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, conversationId: { type: 'string', format: 'uuid' } },
    },
    handler: async (ctx) => {
      const { s, conversationId } = await withSession(ctx, READS_PER_MINUTE, async (tx, s) => ({ s, conversationId: await visitorConversationId(tx, s) }));
      if (!conversationId) throw new AppError('not_found', 'No conversation yet: the stream opens once the visitor has written.');
      const exp = Math.min(s.exp, Math.floor(Date.now() / 1000) + REALTIME_TTL_S);
      const token = signRealtimeToken(ctx.engine, { orgId: s.orgId, keyId: s.keyId, exp, audience: 'widget', visitor: s.visitor, connectionId: s.connectionId, conversationId });
      return { token, expiresAt: new Date(exp * 1000).toISOString(), conversationId };
    },
  }),
];
