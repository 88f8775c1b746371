import crypto from 'node:crypto';
import type { Engine } from '../../core/engine.ts';
import { withTenantRaw } from '../../core/db/tenant.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { hasScope } from '../../core/scopes.ts';
import { isPublishableKeyLive } from '../../core/widget/keys.ts';
import { isSessionLive } from '../../core/users/sessions.ts';
import { defineRoute } from '../http/route.ts';
import { issuingKey, type EmbedClaims } from '../routes/embed-tokens.ts';

/**
 * Short-lived realtime tokens, for browsers (which cannot set an Authorization header on a
 * WebSocket) and for handing a page access to one conversation's stream without its API key.
 * Stateless: an HMAC over {org, key, conversation?, expiry} with a key every API replica derives
 * from the master key. Revoking the API key that issued a token revokes the token too; a token a
 * dashboard session minted (the browser's cookie cannot reach a WebSocket on every deployment) dies
 * with the session (sign-out, expiry, disabled user).
 */
const PREFIX = 'sbrt_';
const MAX_TTL = 3600;
const DEFAULT_TTL = 600;

export interface RealtimeClaims {
  orgId: string;
  /** The issuing API key, or for a widget session the publishable key. */
  keyId: string;
  conversationId?: string;
  /** Unix seconds. */
  exp: number;
  /**
   * "widget": a chat visitor's session (api/routes/widget.ts), issued under a publishable key and
   * bound to the visitor (their app_user handle value) on one web chat connection. The WebSocket
   * takes it only bound to a conversation, and shows it that conversation's messages in the visitor view.
   */
  audience?: 'widget';
  visitor?: string;
  connectionId?: string;
  /** Issued to a dashboard session (keyId is then the session id): the session must still be live. */
  session?: true;
  /**
   * Issued to an embed token (the UI kit): the browser origins that token was minted with. The
   * WebSocket admits a browser only from one of them or the API's own origin, like the REST calls.
   */
  embedOrigins?: string[];
  /** Issued under a platform key acting on the org (Switchboard-Org, directly or through its embed token): keyId is that platform key. */
  platformId?: string;
}

const signingKey = (engine: Engine) => engine.keyring.systemKey('realtime-token');
const mac = (engine: Engine, payload: string) => crypto.createHmac('sha256', signingKey(engine)).update(PREFIX + payload).digest();

export function signRealtimeToken(engine: Engine, claims: RealtimeClaims): string {
  const widget = claims.audience === 'widget' ? { a: 'widget', v: claims.visitor, n: claims.connectionId } : {};
  const session = claims.session ? { s: 1 } : {};
  const embed = claims.embedOrigins ? { r: claims.embedOrigins } : {};
  const platform = claims.platformId ? { p: claims.platformId } : {};
  const payload = Buffer.from(JSON.stringify({ o: claims.orgId, k: claims.keyId, c: claims.conversationId, e: claims.exp, ...widget, ...session, ...embed, ...platform })).toString('base64url');
  return `${PREFIX}${payload}.${mac(engine, payload).toString('base64url')}`;
}

const bad = () => new AppError('unauthorized', 'Invalid or expired realtime token. Request a new one from POST /v1/realtime/tokens.');

/** Checks signature and expiry, then that the issuing key is still live and may read events. */
export async function verifyRealtimeToken(engine: Engine, token: string): Promise<RealtimeClaims> {
  const m = /^sbrt_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) throw bad();
  const given = Buffer.from(m[2], 'base64url');
  const expected = mac(engine, m[1]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw bad();
  const p = JSON.parse(Buffer.from(m[1], 'base64url').toString());
  const claims: RealtimeClaims = { orgId: p.o, keyId: p.k, conversationId: p.c ?? undefined, exp: p.e };
  if (p.a === 'widget') Object.assign(claims, { audience: 'widget', visitor: p.v, connectionId: p.n });
  if (p.s === 1) claims.session = true;
  if (Array.isArray(p.r)) claims.embedOrigins = p.r;
  if (typeof p.p === 'string') claims.platformId = p.p;
  if (!(claims.exp > Date.now() / 1000)) throw bad();
  if (claims.session) {
    if (!(await isSessionLive(engine.db, claims.orgId, claims.keyId, 'events:read'))) throw bad();
    return claims;
  }
  if (claims.audience === 'widget') {
    if (!(await withTenantRaw(engine.db, claims.orgId, (trx) => isPublishableKeyLive({ trx }, claims.keyId, claims.connectionId!)))) throw bad();
    return claims;
  }
  // The issuing API key, or platform key acting on the org: still live, still allowed to read events.
  const key = await issuingKey(engine, claims.orgId, claims.keyId, claims.platformId);
  if (!key || !hasScope(key.scopes, 'events:read')) throw bad();
  return claims;
}

/** The conversation must exist in the org (RLS hides other orgs' rows: 404, never a hint). */
export async function assertConversation(engine: Engine, orgId: string, conversationId: string): Promise<void> {
  const row = await withTenantRaw(engine.db, orgId, (trx) => trx('conversations').where({ id: conversationId }).first('id'));
  if (!row) throw notFound('conversation');
}

export const realtimeRoutes = [
  defineRoute<{ conversationId?: string; ttlSeconds?: number }>({
    method: 'post',
    path: '/v1/realtime/tokens',
    summary:
      'Create a short-lived token for the WebSocket GET /v1/realtime?token=… (optionally bound to one conversation). ' +
      'The socket sends {type:"event",event} frames and {type:"ready",cursor} once caught up; resume with ?cursor=.',
    tag: 'Events',
    scope: 'events:read',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        conversationId: { type: 'string', format: 'uuid', description: 'Restrict the token to this conversation' },
        ttlSeconds: { type: 'integer', minimum: 1, maximum: MAX_TTL, default: DEFAULT_TTL },
      },
    },
    response: {
      type: 'object',
      properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
    },
    handler: async ({ engine, auth, body, res }) => {
      if (body.conversationId) await assertConversation(engine, auth.orgId, body.conversationId);
      const exp = Math.floor(Date.now() / 1000) + (body.ttlSeconds ?? DEFAULT_TTL);
      const session = 'sessionId' in auth ? { session: true as const } : {};
      const embed = (res.locals as { embed?: EmbedClaims }).embed;
      const origins = embed ? { embedOrigins: embed.origins ?? [] } : {};
      const platformId = embed ? embed.platformId : auth.platformId;
      const platform = platformId ? { platformId } : {};
      const token = signRealtimeToken(engine, { orgId: auth.orgId, keyId: auth.keyId, conversationId: body.conversationId, exp, ...session, ...origins, ...platform });
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
  }),
];
