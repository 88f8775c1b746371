import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../db/database.ts';
import { withTenantRaw } from '../db/tenant.ts';
import { AppError, notFound } from '../errors.ts';
import { recordAudit } from '../audit/record.ts';
import { recordPlatformAudit, type PlatformCaller } from './audit.ts';
import { openSession, type OpenedSession } from '../users/sessions.ts';
import { withPlatformOrg } from './orgs.ts';

/**
 * Platform sign-in tokens (token exchange): the platform's server mints a short-lived, single-use
 * token for one dashboard user of one of its orgs; the dashboard (embedded in the platform's app,
 * or served on the platform's domain) exchanges it for an ordinary session, so the user never
 * signs in twice. `sbt_<org id>_<32 random bytes>`: the org id lets the exchange run inside the
 * org's tenant (RLS) with no cross-tenant lookup; only the SHA-256 is stored.
 */
export const SIGN_IN_PREFIX = 'sbt_';
const TOKEN = /^sbt_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;
export const SIGN_IN_MAX_SECONDS = 600;
export const SIGN_IN_DEFAULT_SECONDS = 120;

const hash = (token: string) => crypto.createHash('sha256').update(token).digest();

export interface MintInput {
  userId?: string;
  email?: string;
  expiresInSeconds?: number;
}

export async function mintSignInToken(db: Database, platformId: string, orgId: string, input: MintInput, actor: PlatformCaller) {
  return withPlatformOrg(db, platformId, orgId, async (trx) => {
    const q = trx('users').select('id', 'email', 'role').whereNull('disabled_at');
    if (input.userId) q.where({ id: input.userId });
    else q.where({ email: (input.email ?? '').trim().toLowerCase() });
    const user = await q.first();
    if (!user) throw notFound('user');
    const seconds = input.expiresInSeconds ?? SIGN_IN_DEFAULT_SECONDS;
    const token = `${SIGN_IN_PREFIX}${orgId}_${crypto.randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + seconds * 1000);
    const id = uuidv7();
    await trx('sign_in_tokens').insert({ id, org_id: orgId, user_id: user.id, token_hash: hash(token), platform_key_id: actor.keyId ?? null, expires_at: expiresAt });
    const details = { tokenId: id, expiresInSeconds: seconds };
    await recordAudit({ orgId, trx }, { actor: { type: actor.type, id: actor.id }, action: 'sign_in_token.created', target: { type: 'user', id: user.id }, details, context: actor.context });
    await recordPlatformAudit(trx, actor, { action: 'sign_in_token.created', orgId, target: { type: 'user', id: user.id }, details });
    return { object: 'sign_in_token', token, expiresAt: expiresAt.toISOString(), orgId, userId: user.id };
  });
}

/** Token → session, once. Expired, used, unknown, or the org suspended/deleted: null (the API answers 401). */
export async function exchangeSignInToken(db: Database, token: string): Promise<OpenedSession | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const orgId = m[1]!;
  return withTenantRaw(db, orgId, async (trx) => {
    // Marking it used in the same statement that finds it: two exchanges of one token cannot both win.
    const [row] = await trx('sign_in_tokens')
      .where({ token_hash: hash(token) })
      .whereNull('used_at')
      .where('expires_at', '>', new Date())
      .update({ used_at: trx.fn.now() })
      .returning(['id', 'user_id']);
    if (!row) return null;
    const org = await trx('orgs').select('suspended_at').where({ id: orgId }).whereNull('deleted_at').first();
    const user = await trx('users').select('id').where({ id: row.user_id }).whereNull('disabled_at').first();
    if (!org || !user) return null;
    if (org.suspended_at) throw new AppError('org_suspended', 'This org is suspended: its sessions are refused until it is resumed.');
    const session = await openSession(trx, orgId, row.user_id);
    await recordAudit({ orgId, trx }, { actor: { type: 'user', id: row.user_id }, action: 'session.created', target: { type: 'session', id: session.sessionId }, details: { via: 'sign_in_token', tokenId: row.id } });
    return session;
  }).catch((err) => {
    if (err instanceof AppError) throw err;
    return null; // an org id that names nothing (no tenant rows) is just a bad token
  });
}
