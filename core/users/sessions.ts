import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { withTenantRaw } from '../db/tenant.ts';
import type { Principal } from '../orgs.ts';
import { orgSettings } from '../org-settings.ts';
import type { Scope } from '../scopes.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';

/**
 * Dashboard sessions. A token is `sbs_<org id>_<32 random bytes>`: the org id lets the lookup run
 * inside the tenant (RLS) without another cross-tenant function; only its SHA-256 is stored.
 * Lifetime: settings.sessionMaxMinutes, capped at HIPAA_SESSION_MINUTES in HIPAA mode.
 * Roles map to API scopes, so every endpoint's scope check applies to users unchanged.
 */
export const ROLES = ['owner', 'admin', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_SCOPES: Record<Role, Scope[]> = {
  owner: ['admin'],
  admin: ['admin'],
  agent: ['contacts:read', 'contacts:write', 'conversations:read', 'conversations:write', 'messages:read', 'messages:send', 'events:read'],
  viewer: ['contacts:read', 'conversations:read', 'messages:read', 'events:read'],
};

export const HIPAA_SESSION_MINUTES = 15;
export const SESSION_PREFIX = 'sbs_';
const TOKEN = /^sbs_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest();

export async function sessionMinutes(trx: Knex, orgId: string): Promise<number> {
  const s = await orgSettings(trx, orgId);
  const configured = Number(s.sessionMaxMinutes ?? 720);
  return s.hipaaMode ? Math.min(configured, HIPAA_SESSION_MINUTES) : configured;
}

/** {email, password} → a new session, or null (unknown email, wrong password, disabled user). */
export async function login(db: Database, email: string, password: string) {
  const { rows } = await db.knex.raw('SELECT org_id, user_id, password_hash FROM sb_user_login(?)', [email.trim().toLowerCase()]);
  const user = rows[0] as { org_id: string; user_id: string; password_hash: string } | undefined;
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  return withTenantRaw(db, user.org_id, (trx) => openSession(trx, user.org_id, user.user_id));
}

/** A new session for a user, inside the org's transaction (password login, platform sign-in token exchange). */
export async function openSession(trx: Knex, orgId: string, userId: string) {
  const minutes = await sessionMinutes(trx, orgId);
  const token = `${SESSION_PREFIX}${orgId}_${crypto.randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + minutes * 60_000);
  const id = uuidv7();
  await trx('user_sessions').insert({ id, org_id: orgId, user_id: userId, token_hash: hashToken(token), expires_at: expiresAt });
  const u = await trx('users').select('id', 'email', 'name', 'role').where({ id: userId }).first();
  return { token, sessionId: id, expiresAt, maxAgeSeconds: minutes * 60, user: u, orgId };
}

export type OpenedSession = Awaited<ReturnType<typeof openSession>>;

export interface SessionPrincipal extends Principal {
  userId: string;
  sessionId: string;
}

export async function authenticateSession(db: Database, token: string): Promise<SessionPrincipal | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const orgId = m[1]!;
  const row = await withTenantRaw(db, orgId, (trx) =>
    trx('user_sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .join('orgs as o', 'o.id', 's.org_id')
      .select('s.id', 's.user_id', 'u.role', 'o.suspended_at')
      .where('s.token_hash', hashToken(token))
      .whereNull('s.revoked_at')
      .whereNull('u.disabled_at')
      .where('s.expires_at', '>', new Date())
      .first(),
  );
  // No catch: a database that cannot be reached is a 503 (api/http/errors.ts), never "signed out".
  if (!row) return null;
  return { orgId, keyId: row.id, sessionId: row.id, userId: row.user_id, scopes: ROLE_SCOPES[row.role as Role], ...(row.suspended_at ? { suspended: true } : {}) };
}

/** Is the session still open (not ended, not expired, its user enabled) with a role that holds the scope? */
export async function isSessionLive(db: Database, orgId: string, sessionId: string, scope: Scope): Promise<boolean> {
  const row = await withTenantRaw(db, orgId, (trx) =>
    trx('user_sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .join('orgs as o', 'o.id', 's.org_id')
      .select('u.role')
      .where('s.id', sessionId)
      .whereNull('s.revoked_at')
      .whereNull('u.disabled_at')
      .whereNull('o.deleted_at')
      .where('s.expires_at', '>', new Date())
      .first(),
  );
  const scopes = row ? ROLE_SCOPES[row.role as Role] : [];
  return scopes.includes('admin') || scopes.includes(scope);
}

export async function logout(db: Database, orgId: string, sessionId: string): Promise<void> {
  await withTenantRaw(db, orgId, (trx) => trx('user_sessions').where({ id: sessionId }).update({ revoked_at: new Date() }).returning('id'));
}
