import crypto from 'node:crypto';
import type { Engine } from '../../core/engine.ts';
import { withTenantRaw } from '../../core/db/tenant.ts';
import { AppError, invalid } from '../../core/errors.ts';
import type { Principal } from '../../core/orgs.ts';
import { hasScope, type Scope } from '../../core/scopes.ts';
import { SEGMENT_KEY } from '../../core/widget/options.ts';
import { defineRoute } from '../http/route.ts';

/**
 * Embed tokens: what an app's server mints (with its API key, which never reaches a browser) so
 * its own user's browser can call the API through the UI kit. Short-lived (≤ 1 h), narrowly
 * scoped (read/send on conversations, never admin, keys, connections or other embed tokens),
 * and optionally limited to the conversations whose metadata matches a filter (unit = 4B): the
 * embed guard (api/http/embed-guard.ts) enforces that on every route the token can reach.
 * Stateless like realtime tokens (an HMAC every replica can check); revoking or narrowing the
 * issuing API key ends or narrows its tokens at once.
 */
export const EMBED_PREFIX = 'sbet_';
export const EMBED_SCOPES = ['conversations:read', 'messages:read', 'messages:send', 'contacts:read', 'events:read'] as const satisfies readonly Scope[];
const MAX_TTL = 3600;
const DEFAULT_TTL = 900;

export interface EmbedClaims {
  orgId: string;
  keyId: string;
  scopes: Scope[];
  /** Conversations the token reaches: all of these metadata pairs must match. Empty: every conversation. */
  metadata: Record<string, string>;
  /** The app's user id, for the audit trail. */
  userRef?: string;
  /** Browser origins (https://portal.example.com) that may call the API with it cross-origin (CORS). */
  origins?: string[];
  /** Minted by a platform key acting on the org (Switchboard-Org): the issuer is that platform key. */
  platformId?: string;
  exp: number;
}

/** A principal that came from an embed token carries its claims (res.locals.embed). */
export interface EmbedPrincipal extends Principal {
  embed: EmbedClaims;
}

const signingKey = (engine: Engine) => engine.keyring.systemKey('embed-token');
const mac = (engine: Engine, payload: string) => crypto.createHmac('sha256', signingKey(engine)).update(EMBED_PREFIX + payload).digest();

export function signEmbedToken(engine: Engine, c: EmbedClaims): string {
  const payload = Buffer.from(JSON.stringify({ o: c.orgId, k: c.keyId, s: c.scopes, m: c.metadata, u: c.userRef, r: c.origins, p: c.platformId, e: c.exp })).toString('base64url');
  return `${EMBED_PREFIX}${payload}.${mac(engine, payload).toString('base64url')}`;
}

/**
 * The issuing key's live scopes and whether its org is suspended (null: revoked, org deleted, or
 * not a key). A platform key acting on one of its orgs holds that org's admin scope while it keeps
 * platform:orgs and the org stays the platform's (read with both settings: RLS decides).
 */
export async function issuingKey(engine: Engine, orgId: string, keyId: string, platformId?: string): Promise<{ scopes: string[]; suspended: boolean } | null> {
  if (platformId) {
    const row = await withTenantRaw(engine.db, orgId, (trx) =>
      trx('platform_keys as k').join('orgs as o', 'o.platform_id', 'k.platform_id').where({ 'k.id': keyId, 'o.id': orgId }).whereNull('k.revoked_at').whereNull('o.deleted_at').first('k.scopes', 'o.suspended_at'),
    platformId);
    return row && hasScope(row.scopes, 'platform:orgs') ? { scopes: ['admin'], suspended: !!row.suspended_at } : null;
  }
  const row = await withTenantRaw(engine.db, orgId, (trx) =>
    trx('api_keys as k').join('orgs as o', 'o.id', 'k.org_id').where('k.id', keyId).whereNull('k.revoked_at').whereNull('o.deleted_at').first('k.scopes', 'o.suspended_at'),
  );
  return row ? { scopes: row.scopes as string[], suspended: !!row.suspended_at } : null;
}

/** Signature, expiry, then the issuing key: the token's scopes are cut to what that key still holds. */
export async function authenticateEmbedToken(engine: Engine, token: string): Promise<EmbedPrincipal | null> {
  const m = /^sbet_([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const given = Buffer.from(m[2], 'base64url');
  const expected = mac(engine, m[1]);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  const p = JSON.parse(Buffer.from(m[1], 'base64url').toString());
  if (!(p.e > Date.now() / 1000)) return null;
  const held = await issuingKey(engine, p.o, p.k, p.p);
  if (!held) return null;
  const scopes = (p.s as Scope[]).filter((s) => hasScope(held.scopes, s));
  const embed: EmbedClaims = { orgId: p.o, keyId: p.k, scopes, metadata: p.m ?? {}, ...(p.u ? { userRef: p.u } : {}), ...(p.r ? { origins: p.r } : {}), ...(p.p ? { platformId: p.p } : {}), exp: p.e };
  // A suspended org's tokens are refused like its API keys (scopeToOrg answers 401 org_suspended).
  return { orgId: p.o, keyId: p.k, scopes, embed, ...(held.suspended ? { suspended: true } : {}) };
}

interface MintBody {
  scopes: Scope[];
  ttlSeconds?: number;
  metadata?: Record<string, string>;
  userRef?: string;
  origins?: string[];
}

export const embedTokenRoutes = [
  defineRoute<MintBody>({
    method: 'post',
    path: '/v1/embed-tokens',
    summary:
      "Mint a short-lived token for your user's browser (the UI kit): a subset of your API key's scopes among " +
      `${EMBED_SCOPES.join(', ')}, optionally limited to conversations whose metadata matches (e.g. {"unit":"4B"}). ` +
      'Send it as Authorization: Bearer sbet_…; it reaches only conversation, message, contact and realtime-token routes, filtered.',
    tag: 'Embed',
    scope: 'conversations:read',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['scopes'],
      properties: {
        scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...EMBED_SCOPES] } },
        ttlSeconds: { type: 'integer', minimum: 60, maximum: MAX_TTL, default: DEFAULT_TTL },
        metadata: {
          type: 'object',
          maxProperties: 5,
          propertyNames: { pattern: SEGMENT_KEY },
          additionalProperties: { type: 'string', minLength: 1, maxLength: 200 },
          description: 'Only conversations whose metadata has all these values',
        },
        userRef: { type: 'string', maxLength: 200, description: "Your user's id, kept in the token for the audit trail" },
        origins: {
          type: 'array',
          maxItems: 10,
          uniqueItems: true,
          items: { type: 'string', pattern: '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$', maxLength: 300 },
          description: 'Browser origins that may use the token cross-origin (CORS), e.g. ["https://portal.example.com"]; a request from any other origin is refused (403)',
        },
      },
    },
    response: {
      type: 'object',
      properties: {
        token: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
        scopes: { type: 'array', items: { type: 'string' } },
        metadata: { type: 'object' },
        origins: { type: 'array', items: { type: 'string' } },
      },
    },
    handler: async ({ engine, auth, body, res }) => {
      if ((res.locals as { embed?: unknown }).embed) throw new AppError('forbidden', 'An embed token cannot mint embed tokens.');
      const held = await issuingKey(engine, auth.orgId, auth.keyId, auth.platformId);
      if (!held) throw new AppError('forbidden', "Mint embed tokens with your server's API key or platform key (not a dashboard session).");
      const missing = body.scopes.find((s) => !hasScope(held.scopes, s));
      if (missing) throw invalid('/scopes', `"${missing}" is not held by this API key: a token can only narrow its issuer`);
      const exp = Math.floor(Date.now() / 1000) + (body.ttlSeconds ?? DEFAULT_TTL);
      const origins = body.origins?.map((o) => o.toLowerCase());
      const claims: EmbedClaims = { orgId: auth.orgId, keyId: auth.keyId, scopes: body.scopes, metadata: body.metadata ?? {}, userRef: body.userRef, origins, ...(auth.platformId ? { platformId: auth.platformId } : {}), exp };
      return { token: signEmbedToken(engine, claims), expiresAt: new Date(exp * 1000).toISOString(), scopes: claims.scopes, metadata: claims.metadata, origins: origins ?? [] };
    },
  }),
];
