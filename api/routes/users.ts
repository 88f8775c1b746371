import { defineRoute, type RouteContext } from '../http/route.ts';
import { brandingViewSchema, effectiveBranding } from '../../core/platforms/branding.ts';
import { auditBy } from '../http/audit.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { AppError, invalid } from '../../core/errors.ts';
import { isUniqueViolation } from '../../core/identity/savepoint.ts';
import { hashPassword } from '../../core/users/passwords.ts';
import { login, logout, ROLES, type OpenedSession, type Role } from '../../core/users/sessions.ts';
import { v7 as uuidv7 } from 'uuid';

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

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'user' },
    email: { type: 'string' },
    name: { type: ['string', 'null'] },
    role: { enum: [...ROLES] },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const userView = (u: { id: string; email: string; name: string | null; role: Role; created_at?: Date | string }) => ({
  id: u.id,
  object: 'user',
  email: u.email,
  name: u.name,
  role: u.role,
  ...(u.created_at ? { createdAt: new Date(u.created_at).toISOString() } : {}),
});

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
  const org = await ctx.engine.tenant(s.orgId, async (tx) => ({
    id: s.orgId,
    name: (await tx.trx('orgs').select('name').where({ id: s.orgId }).first())?.name,
    branding: await effectiveBranding(tx.trx, s.orgId),
  }));
  return { object: 'session', token: s.token, expiresAt: s.expiresAt.toISOString(), user: userView(s.user), org };
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
      const password_hash = await hashPassword(body.password);
      return engine.tenant(auth.orgId, async (tx) => {
        if (body.role === 'owner' && byUser) {
          const me = await tx.trx('users').select('role').where({ id: byUser }).first();
          if (me?.role !== 'owner') throw new AppError('forbidden', 'Only an owner can add an owner.');
        }
        const row = { id: uuidv7(), org_id: auth.orgId, email: body.email.trim().toLowerCase(), name: body.name ?? null, role: body.role, password_hash };
        try {
          await tx.trx.raw('SAVEPOINT add_user');
          await tx.trx('users').insert(row);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          await tx.trx.raw('ROLLBACK TO SAVEPOINT add_user');
          throw new AppError('conflict', 'A user with this email exists.', { details: [{ field: '/email', reason: 'is taken' }] });
        }
        await recordAudit(tx, { ...auditBy(ctx), action: 'user.created', target: { type: 'user', id: row.id }, details: { role: row.role } });
        return userView({ ...row, created_at: new Date() });
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
        data: (await tx.trx('users').select('id', 'email', 'name', 'role', 'created_at').whereNull('disabled_at').orderBy('created_at')).map(userView),
      })),
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
