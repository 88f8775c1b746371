import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { AppError, notFound } from '../errors.ts';
import type { Engine } from '../engine.ts';
import { listOrgIds } from '../orgs.ts';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import { isUniqueViolation } from '../identity/savepoint.ts';
import { hashPassword } from './passwords.ts';
import type { Role } from './sessions.ts';

/**
 * Adds a dashboard user inside the org's transaction: one way for the API (POST /v1/users), the
 * CLI (`switchboard user create`) and the demo org's owner on the first start. A taken email is a
 * 409 on /email and leaves the transaction usable (savepoint).
 */
export interface NewUser {
  email: string;
  name?: string | null;
  role: Role;
  password: string;
}

export interface UserRow {
  id: string;
  org_id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: Date;
}

/** A password for a user created without one: 24 base64url characters (144 bits). */
export const generatePassword = () => crypto.randomBytes(18).toString('base64url');

export async function insertUser(tx: TenantTx, input: NewUser): Promise<UserRow> {
  const password_hash = await hashPassword(input.password);
  const row = { id: uuidv7(), org_id: tx.orgId, email: input.email.trim().toLowerCase(), name: input.name ?? null, role: input.role, password_hash };
  try {
    await tx.trx.raw('SAVEPOINT add_user');
    await tx.trx('users').insert(row);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    await tx.trx.raw('ROLLBACK TO SAVEPOINT add_user');
    throw new AppError('conflict', 'A user with this email exists.', { details: [{ field: '/email', reason: 'is taken' }] });
  }
  const { password_hash: _omit, ...user } = row;
  return { ...user, created_at: new Date() };
}

/** `switchboard user create` and the demo owner: the org must exist; the creation is audited as the CLI's / system's. */
export async function createUser(engine: Engine, orgId: string, input: NewUser, actor: AuditActor = { type: 'cli', id: null }): Promise<UserRow> {
  if (!(await listOrgIds(engine.db)).includes(orgId)) throw notFound('org');
  return engine.tenant(orgId, async (tx) => {
    const row = await insertUser(tx, input);
    await recordAudit(tx, { actor, action: 'user.created', target: { type: 'user', id: row.id }, details: { role: row.role } });
    return row;
  });
}

/** What `user create` answers (the password only when it was generated, so it is shown once). */
export type Created = { user: Omit<UserRow, 'created_at' | 'org_id'> & { orgId: string }; password: string };

export const createdView = (u: UserRow, password: string): Created => ({
  user: { id: u.id, orgId: u.org_id, email: u.email, name: u.name, role: u.role },
  password,
});

