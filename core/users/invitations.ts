import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Engine } from '../engine.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError, notFound } from '../errors.ts';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import { createLogger } from '../logger.ts';
import { effectiveBranding } from '../platforms/branding.ts';
import { SIGN_IN_PREFIX } from '../platforms/sign-in.ts';
import { pickConnection } from '../send/select.ts';
import { runtimeOf } from '../connections/runtime.ts';
import { generatePassword, insertUser, type UserRow } from './create.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Role } from './sessions.ts';

/**
 * Inviting a dashboard user by email. The user is created with a password nobody knows and
 * invited_at set; the invite link carries a single-use token (a sign_in_tokens row of kind
 * 'invitation', the same `sbt_<org>_<random>` shape the platform's sign-in tokens have, exchanged
 * by POST /v1/sessions/exchange), after which the dashboard asks for a password
 * (PUT /v1/sessions/current/password) and the invitation is accepted.
 *
 * The email leaves through the org's own email path — its oldest active connection that sends
 * email (e.g. SendGrid), called directly so the link never lands in a conversation an agent can
 * read — under the org's white-label sender name. Without one (or through a sandbox connection)
 * nothing is sent, and the answer says so: the admin shares the link shown once.
 *
 * The link is on the platform's custom domain when the org belongs to a platform that has one
 * (same scheme and port as PUBLIC_URL), else on PUBLIC_URL.
 */
export const INVITATION_DAYS = 7;
const log = createLogger('invitations');
const hash = (token: string) => crypto.createHash('sha256').update(token).digest();

export interface InvitationAnswer {
  object: 'invitation';
  user: UserRow & { invited_at: Date };
  inviteUrl: string;
  expiresAt: string;
  email: { sent: boolean; connectionId: string | null; reason: string | null };
}

/** Revokes the user's outstanding invitation tokens and mints a new one. */
async function mintInvitation(tx: TenantTx, userId: string) {
  await tx.trx('sign_in_tokens').where({ user_id: userId, kind: 'invitation' }).whereNull('used_at').update({ used_at: tx.trx.fn.now() });
  const token = `${SIGN_IN_PREFIX}${tx.orgId}_${crypto.randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const id = uuidv7();
  await tx.trx('sign_in_tokens').insert({ id, org_id: tx.orgId, user_id: userId, token_hash: hash(token), kind: 'invitation', expires_at: expiresAt });
  return { id, token, expiresAt };
}

/** PUBLIC_URL, or the org's platform's first custom domain with PUBLIC_URL's scheme and port. */
export async function dashboardBase(tx: TenantTx, publicUrl: string): Promise<string> {
  const org = await tx.trx('orgs').select('platform_id').where({ id: tx.orgId }).first();
  const domain: string | undefined = org?.platform_id
    ? (await tx.trx('platform_domains').where({ platform_id: org.platform_id }).orderBy('created_at').orderBy('domain').first())?.domain
    : undefined;
  if (!domain) return publicUrl.replace(/\/+$/, '');
  const u = new URL(publicUrl);
  u.hostname = domain;
  return u.origin;
}

async function prepare(engine: Engine, tx: TenantTx, user: UserRow, actor: AuditActor, action: 'user.invited' | 'user.invitation_resent') {
  const minted = await mintInvitation(tx, user.id);
  const inviteUrl = `${await dashboardBase(tx, engine.config.publicUrl)}/invite#sign_in_token=${minted.token}`;
  const branding = await effectiveBranding(tx.trx, tx.orgId);
  const picked = await pickConnection(tx, engine.connectors, { channel: 'email' });
  const rt = picked && !picked.row.sandbox ? runtimeOf(tx, engine.connectors, picked.row) : null;
  await recordAudit(tx, { actor, action, target: { type: 'user', id: user.id }, details: { role: user.role, tokenId: minted.id, emailConnectionId: rt?.row.id ?? null } });
  return { minted, inviteUrl, branding, picked, rt };
}

/** After the transaction: the email through the org's connection (a provider call never holds a transaction open). */
async function deliver(p: Awaited<ReturnType<typeof prepare>>, user: UserRow): Promise<InvitationAnswer['email']> {
  if (!p.picked) return { sent: false, connectionId: null, reason: 'The org has no active email connection: share the link yourself.' };
  if (!p.rt) return { sent: false, connectionId: p.picked.row.id, reason: 'The org’s email connection is a sandbox: nothing was sent.' };
  const name = p.branding.displayName;
  try {
    await p.rt.def.send!(
      {
        messageId: uuidv7(),
        channel: 'email',
        to: { kind: 'email', value: user.email },
        senderName: p.branding.emailFromName,
        ...(p.branding.emailFromDomain ? { senderDomain: p.branding.emailFromDomain } : {}),
        subject: `You are invited to ${name}`,
        body:
          `Hello${user.name ? ` ${user.name}` : ''},\n\nYou have been invited to ${name}'s dashboard as ${user.role}.\n` +
          `Open this link to choose your password and sign in (it works once, for ${INVITATION_DAYS} days):\n\n${p.inviteUrl}\n`,
      },
      p.rt.ctx,
    );
    return { sent: true, connectionId: p.rt.row.id, reason: null };
  } catch (err) {
    log.warn({ connectionId: p.rt.row.id, err: (err as Error).message }, 'invitation email failed');
    return { sent: false, connectionId: p.rt.row.id, reason: `The email could not be sent: ${(err as Error).message}` };
  }
}

export async function inviteUser(engine: Engine, orgId: string, input: { email: string; name?: string | null; role: Role }, actor: AuditActor, byUserId?: string): Promise<InvitationAnswer> {
  const { row, p } = await engine.tenant(orgId, async (tx) => {
    if (input.role === 'owner' && byUserId) {
      const me = await tx.trx('users').select('role').where({ id: byUserId }).first();
      if (me?.role !== 'owner') throw new AppError('forbidden', 'Only an owner can invite an owner.');
    }
    const row = await insertUser(tx, { ...input, password: generatePassword() });
    const [{ invited_at }] = await tx.trx('users').where({ id: row.id }).update({ invited_at: tx.trx.fn.now() }).returning(['invited_at']);
    return { row: { ...row, invited_at }, p: await prepare(engine, tx, row, actor, 'user.invited') };
  });
  return { object: 'invitation', user: row, inviteUrl: p.inviteUrl, expiresAt: p.minted.expiresAt.toISOString(), email: await deliver(p, row) };
}

/** A new link (the old one stops working) and a new email; an accepted invitation cannot be resent. */
export async function resendInvitation(engine: Engine, orgId: string, userId: string, actor: AuditActor): Promise<InvitationAnswer> {
  const { row, p } = await engine.tenant(orgId, async (tx) => {
    const user = await tx.trx('users').select('id', 'org_id', 'email', 'name', 'role', 'created_at', 'invited_at', 'invite_accepted_at').where({ id: userId }).whereNull('disabled_at').forUpdate().first();
    if (!user) throw notFound('user');
    if (!user.invited_at) throw new AppError('conflict', 'This user was not invited: they sign in with the password they were given.', { details: [{ field: '/id', reason: 'not invited' }] });
    if (user.invite_accepted_at) throw new AppError('conflict', 'This user accepted the invitation already.', { details: [{ field: '/id', reason: 'invitation accepted' }] });
    const [{ invited_at }] = await tx.trx('users').where({ id: user.id }).update({ invited_at: tx.trx.fn.now() }).returning(['invited_at']);
    const { invite_accepted_at: _a, ...rest } = user;
    return { row: { ...rest, invited_at }, p: await prepare(engine, tx, user, actor, 'user.invitation_resent') };
  });
  return { object: 'invitation', user: row, inviteUrl: p.inviteUrl, expiresAt: p.minted.expiresAt.toISOString(), email: await deliver(p, row) };
}

/**
 * The signed-in user sets their password: on first sign-in through an invitation (no current
 * password: they never had one), else only with the current password. Other sessions of the
 * user are revoked when the password changes.
 */
export async function setPassword(engine: Engine, orgId: string, userId: string, sessionId: string, input: { password: string; currentPassword?: string }): Promise<{ inviteAccepted: boolean }> {
  return engine.tenant(orgId, async (tx) => {
    const user = await tx.trx('users').select('id', 'password_hash', 'invited_at', 'invite_accepted_at').where({ id: userId }).whereNull('disabled_at').forUpdate().first();
    if (!user) throw notFound('user');
    const firstSignIn = !!user.invited_at && !user.invite_accepted_at;
    if (!firstSignIn) {
      if (!input.currentPassword) throw new AppError('validation_failed', 'currentPassword is required to change a password.', { details: [{ field: '/currentPassword', reason: 'is required' }] });
      if (!(await verifyPassword(input.currentPassword, user.password_hash)))
        throw new AppError('forbidden', 'The current password is wrong.', { details: [{ field: '/currentPassword', reason: 'is wrong' }] });
    }
    await tx.trx('users').where({ id: userId }).update({ password_hash: await hashPassword(input.password), ...(firstSignIn ? { invite_accepted_at: tx.trx.fn.now() } : {}) });
    await tx.trx('user_sessions').where({ user_id: userId }).whereNot({ id: sessionId }).whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
    await recordAudit(tx, { actor: { type: 'user', id: userId }, action: firstSignIn ? 'user.invitation_accepted' : 'user.password_changed', target: { type: 'user', id: userId } });
    return { inviteAccepted: firstSignIn };
  });
}
