import { defineRoute } from '../http/route.ts';
import { auditBy } from '../http/audit.ts';
import { AppError } from '../../core/errors.ts';
import { inviteUser, resendInvitation, setPassword, type InvitationAnswer } from '../../core/users/invitations.ts';
import { ROLES, type Role } from '../../core/users/sessions.ts';
import { userSchema, userView } from './users.ts';

/**
 * Invitations (core/users/invitations.ts): an admin invites a dashboard user by email; the email
 * leaves through the org's email connection; the link signs them in once (POST
 * /v1/sessions/exchange) and they choose their password (PUT /v1/sessions/current/password).
 */
const invitationSchema = {
  type: 'object',
  properties: {
    object: { const: 'invitation' },
    user: userSchema,
    inviteUrl: { type: 'string', description: 'The single-use link (shown once): on the platform’s custom domain when the org has one, else PUBLIC_URL' },
    expiresAt: { type: 'string', format: 'date-time' },
    email: {
      type: 'object',
      properties: {
        sent: { type: 'boolean' },
        connectionId: { type: ['string', 'null'] },
        reason: { type: ['string', 'null'], description: 'Why nothing was sent (no email connection, a sandbox one, a provider error)' },
      },
    },
  },
};

const answer = (a: InvitationAnswer) => ({ ...a, user: userView(a.user) });

export const invitationRoutes = [
  defineRoute<{ email: string; name?: string; role: Role }>({
    method: 'post',
    path: '/v1/invitations',
    summary: "Invite a dashboard user by email: the user is created, an invite link (single use, 7 days) is emailed through the org's email connection and answered once",
    tag: 'Users',
    scope: 'admin',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'role'],
      properties: { email: { type: 'string', format: 'email', maxLength: 254 }, name: { type: 'string', maxLength: 200 }, role: { enum: [...ROLES] } },
    },
    response: invitationSchema,
    handler: async (ctx) => answer(await inviteUser(ctx.engine, ctx.auth.orgId, ctx.body, auditBy(ctx).actor, (ctx.auth as { userId?: string }).userId)),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/users/:id/invitation',
    summary: 'Resend an invitation not yet accepted: a new link (the previous one stops working) and a new email',
    tag: 'Users',
    scope: 'admin',
    response: invitationSchema,
    handler: async (ctx) => answer(await resendInvitation(ctx.engine, ctx.auth.orgId, ctx.params.id!, auditBy(ctx).actor)),
  }),
  defineRoute<{ password: string; currentPassword?: string }>({
    method: 'put',
    path: '/v1/sessions/current/password',
    summary: "Set the signed-in user's password: on first sign-in through an invitation without the current one (accepting it), else with currentPassword; the user's other sessions end",
    tag: 'Users',
    scope: null,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['password'],
      properties: { password: { type: 'string', minLength: 12, maxLength: 256 }, currentPassword: { type: 'string', maxLength: 256 } },
    },
    response: { type: 'object', properties: { object: { const: 'password' }, inviteAccepted: { type: 'boolean' } } },
    handler: async ({ engine, res, body }) => {
      const auth = res.locals.auth as { orgId: string; sessionId?: string; userId?: string } | undefined;
      if (!auth?.sessionId || !auth.userId) throw new AppError('unauthorized', 'Setting a password needs a dashboard session, not an API key.');
      return { object: 'password', ...(await setPassword(engine, auth.orgId, auth.userId, auth.sessionId, body)) };
    },
  }),
];
