import { defineRoute, type RouteContext } from '../http/route.ts';
import { brandingViewSchema, effectiveBranding } from '../../core/platforms/branding.ts';
import { auditBy } from '../http/audit.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { AppError, invalid, notFound } from '../../core/errors.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import { insertUser } from '../../core/users/create.ts';
import { unassignUser } from '../../core/conversations/service.ts';
import { login, logout, ROLES, type OpenedSession, type Role } from '../../core/users/sessions.ts';

/**
 * Dashboard users (roles owner, admin, agent, viewer → API scopes) and sessions. POST /v1/sessions
 * answers the token in the body (bearer) and as an httpOnly, SameSite=Strict cookie.
 */
export const SESSION_COOKIE = 'sb_session';

export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE && v.length) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'user' },
    email: { type: 'string' },
    name: { type: ['string', 'null'] },
    role: { enum: [...ROLES] },
    createdAt: { type: 'string', format: 'date-time' },
    invitation: { enum: ['pending', 'accepted'], description: 'Present for an invited user: pending until they set their password' },
    invitedAt: { type: 'string', format: 'date-time' },
    mustSetPassword: { type: 'boolean', description: 'In a session answer: signed in through an invitation, no password chosen yet' },
  },
};
type UserLike = { id: string; email: string; name: string | null; role: Role; created_at?: Date | string; invited_at?: Date | string | null; invite_accepted_at?: Date | string | null };
export const userView = (u: UserLike) => ({
  id: u.id,
  object: 'user',
  email: u.email,
  name: u.name,
  role: u.role,
  ...(u.created_at ? { createdAt: new Date(u.created_at).toISOString() } : {}),
  ...(u.invited_at ? { invitation: u.invite_accepted_at ? 'accepted' : 'pending', invitedAt: new Date(u.invited_at).toISOString() } : {}),
});
/** The user of a session answer: one who came in through an invitation and has not chosen a password yet must set one. */
const sessionUserView = (u: UserLike) => {
  const view = userView(u);
  return { ...view, mustSetPassword: view.invitation === 'pending' };
};

export const sessionAnswerSchema = {
  type: 'object',
  properties: {
    object: { const: 'session' },
    token: { type: 'string' },
    expiresAt: { type: 'string' },
    user: userSchema,
    org: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, branding: brandingViewSchema } },
  },
};

/**
 * A new session's answer (password login and sign-in token exchange alike): the token, the same
 * in an httpOnly cookie, the user, and the org with its effective branding for the dashboard.
 */
export async function sessionAnswer(ctx: Pick<RouteContext, 'engine' | 'res'>, s: OpenedSession) {
  const secure = ctx.engine.config.publicUrl.startsWith('https://') ? '; Secure' : '';
  ctx.res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${encodeURIComponent(s.token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${s.maxAgeSeconds}${secure}`);
  const { org, invite } = await ctx.engine.tenant(s.orgId, async (tx) => ({
    org: {
      id: s.orgId,
      name: (await tx.trx('orgs').select('name').where({ id: s.orgId }).first())?.name,
      branding: await effectiveBranding(tx.trx, s.orgId),
    },
    invite: await tx.trx('users').select('invited_at', 'invite_accepted_at').where({ id: s.user.id }).first(),
  }));
  return { object: 'session', token: s.token, expiresAt: s.expiresAt.toISOString(), user: sessionUserView({ ...s.user, ...invite }), org };
}

/**
 * Owners are changed only by an owner (or an org API key), and an org always keeps one: the
 * last owner can be neither demoted nor disabled. Answers the target user, locked.
 */
async function ownerGuard(tx: TenantTx, ctx: RouteContext, id: string, next: Role | 'disabled' | undefined) {
  const user = await tx.trx('users').select('id', 'email', 'name', 'role', 'created_at').where({ id }).whereNull('disabled_at').forUpdate().first();
  if (!user) throw notFound('user');
  const touchesOwner = user.role === 'owner' || next === 'owner';
  if (!touchesOwner || next === undefined || next === user.role) return user;
  const byUser = (ctx.auth as { userId?: string }).userId;
  if (byUser) {
    const me = await tx.trx('users').select('role').where({ id: byUser }).first();
    if (me?.role !== 'owner') throw new AppError('forbidden', 'Only an owner can change an owner or make one.');
  }
  if (user.role === 'owner') {
    const owners = await tx.trx('users').where({ role: 'owner' }).whereNull('disabled_at').count<{ n: string }[]>({ n: '*' });
    if (Number(owners[0]!.n) <= 1) throw new AppError('conflict', 'The org’s last owner cannot be demoted or disabled; make another owner first.', { details: [{ field: '/role', reason: 'last owner' }] });
  }
  return user;
}

export const userRoutes = [
  defineRoute<{ email: string; name?: string; role: Role; password: string }>({
    method: 'post',
    path: '/v1/users',
    summary: 'Add a dashboard user (admin); an owner can only be added by an API key or another owner',
    tag: 'Users',
    scope: 'admin',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'role', 'password'],
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        name: { type: 'string', maxLength: 200 },
        role: { enum: [...ROLES] },
        password: { type: 'string', minLength: 12, maxLength: 256 },
      },
    },
    response: userSchema,
    handler: async (ctx) => {
      const { engine, auth, body } = ctx;
      const byUser = (auth as { userId?: string }).userId;
      return engine.tenant(auth.orgId, async (tx) => {
        if (body.role === 'owner' && byUser) {
          const me = await tx.trx('users').select('role').where({ id: byUser }).first();
          if (me?.role !== 'owner') throw new AppError('forbidden', 'Only an owner can add an owner.');
        }
        const row = await insertUser(tx, body);
        await recordAudit(tx, { ...auditBy(ctx), action: 'user.created', target: { type: 'user', id: row.id }, details: { role: row.role } });
        return userView(row);
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/users',
    summary: "The org's dashboard users",
    tag: 'Users',
    scope: 'admin',
    response: { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: userSchema } } },
    handler: ({ engine, auth }) =>
      engine.tenant(auth.orgId, async (tx) => ({
        object: 'list',
        data: (await tx.trx('users').select('id', 'email', 'name', 'role', 'created_at', 'invited_at', 'invite_accepted_at').whereNull('disabled_at').orderBy('created_at')).map(userView),
      })),
  }),
  defineRoute<{ role?: Role; name?: string | null }>({
    method: 'patch',
    path: '/v1/users/:id',
    summary: "Change a user's role or name (owners: only by an owner or an API key; the last owner stays an owner)",
    tag: 'Users',
    scope: 'admin',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { role: { enum: [...ROLES] }, name: { type: ['string', 'null'], maxLength: 200 } } },
    response: userSchema,
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        const user = await ownerGuard(tx, ctx, ctx.params.id!, ctx.body.role);
        const [row] = await tx.trx('users').where({ id: user.id }).update({ ...(ctx.body.role ? { role: ctx.body.role } : {}), ...('name' in ctx.body ? { name: ctx.body.name } : {}) }).returning(['id', 'email', 'name', 'role', 'created_at']);
        if (ctx.body.role && ctx.body.role !== user.role) {
          // A viewer cannot work conversations: a demotion hands theirs back to the queue.
          const unassigned = ctx.body.role === 'viewer' ? await unassignUser(tx, user.id) : 0;
          await recordAudit(tx, { ...auditBy(ctx), action: 'user.role_changed', target: { type: 'user', id: user.id }, details: { from: user.role, to: ctx.body.role, unassigned } });
        }
        return userView(row);
      }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/users/:id',
    summary: 'Disable a user: their sessions end at once, their conversations become unassigned; their audit trail stays',
    tag: 'Users',
    scope: 'admin',
    response: userSchema,
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        if ((ctx.auth as { userId?: string }).userId === ctx.params.id) throw new AppError('unprocessable', 'You cannot disable yourself; ask another admin.');
        const user = await ownerGuard(tx, ctx, ctx.params.id!, 'disabled');
        await tx.trx('users').where({ id: user.id }).update({ disabled_at: tx.trx.fn.now() });
        await tx.trx('user_sessions').where({ user_id: user.id }).whereNull('revoked_at').update({ revoked_at: tx.trx.fn.now() });
        const unassigned = await unassignUser(tx, user.id);
        await recordAudit(tx, { ...auditBy(ctx), action: 'user.disabled', target: { type: 'user', id: user.id }, details: { role: user.role, unassigned } });
        return userView(user);
      }),
  }),
  defineRoute<{ email: string; password: string }>({
    method: 'post',
    path: '/v1/sessions',
    summary: 'Sign in: a session token (bearer) and the same in an httpOnly cookie',
    tag: 'Users',
    scope: null,
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'password'],
      properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 256 } },
    },
    response: sessionAnswerSchema,
    handler: async (ctx) => {
      const { engine, req, body } = ctx;
      const s = await login(engine.db, body.email, body.password);
      if (!s) throw new AppError('unauthorized', 'Wrong email or password.');
      await engine.tenant(s.orgId, (tx) =>
        recordAudit(tx, { actor: { type: 'user', id: s.user.id }, action: 'session.created', target: { type: 'session', id: s.sessionId }, context: { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null } }),
      );
      return sessionAnswer(ctx, s);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/sessions/current',
    summary: 'The signed-in user, their org and the scopes their role grants (what the dashboard may offer)',
    tag: 'Users',
    scope: null,
    response: {
      type: 'object',
      properties: {
        object: { const: 'session' },
        user: userSchema,
        org: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, branding: brandingViewSchema } },
        scopes: { type: 'array', items: { type: 'string' } },
      },
    },
    handler: async ({ engine, res }) => {
      const auth = res.locals.auth as { orgId: string; sessionId?: string; userId?: string; scopes: string[] } | undefined;
      if (!auth?.sessionId) throw new AppError('unauthorized', 'Not signed in: POST /v1/sessions with your email and password.');
      return engine.tenant(auth.orgId, async (tx) => {
        const user = await tx.trx('users').select('id', 'email', 'name', 'role', 'created_at', 'invited_at', 'invite_accepted_at').where({ id: auth.userId }).first();
        const org = await tx.trx('orgs').select('id', 'name').where({ id: tx.orgId }).first();
        return { object: 'session', user: sessionUserView(user), org: { id: org.id, name: org.name, branding: await effectiveBranding(tx.trx, tx.orgId) }, scopes: auth.scopes };
      });
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/sessions/current',
    summary: 'Sign out: ends the calling session and clears its cookie',
    tag: 'Users',
    scope: null,
    handler: async ({ engine, res }) => {
      const auth = res.locals.auth as { orgId: string; sessionId?: string; userId?: string } | undefined;
      if (!auth?.sessionId) throw invalid('/authorization', 'sign out needs a session token, not an API key');
      await logout(engine.db, auth.orgId, auth.sessionId);
      await engine.tenant(auth.orgId, (tx) => recordAudit(tx, { actor: { type: 'user', id: auth.userId! }, action: 'session.ended', target: { type: 'session', id: auth.sessionId! } }));
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      return undefined;
    },
  }),
];
