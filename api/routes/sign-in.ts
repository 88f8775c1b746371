import { defineRoute } from '../http/route.ts';
import { AppError } from '../../core/errors.ts';
import { exchangeSignInToken } from '../../core/platforms/sign-in.ts';
import { brandingViewSchema, mergeBranding } from '../../core/platforms/branding.ts';
import { sessionAnswer, sessionAnswerSchema } from './users.ts';

/**
 * The dashboard's side of platform white-label: exchanging a platform-minted sign-in token for a
 * session, and the branding to show on a platform's own domain before anyone signs in.
 */
export const signInRoutes = [
  defineRoute<{ token: string }>({
    method: 'post',
    path: '/v1/sessions/exchange',
    summary: 'Exchange a platform sign-in token (sbt_…, single use, short-lived) for a dashboard session: the same answer and cookie as POST /v1/sessions',
    tag: 'Users',
    scope: null,
    status: 201,
    body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } },
    response: sessionAnswerSchema,
    handler: async (ctx) => {
      const s = await exchangeSignInToken(ctx.engine.db, ctx.body.token);
      if (!s) throw new AppError('unauthorized', 'The sign-in token is unknown, expired or used already.');
      return sessionAnswer(ctx, s);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/branding',
    summary: "Public branding for the dashboard's sign-in page: the platform whose custom domain (Host) serves it, else Switchboard's",
    tag: 'Users',
    scope: null,
    response: { type: 'object', properties: { object: { const: 'branding' }, platform: { type: ['string', 'null'] }, branding: brandingViewSchema } },
    handler: async ({ engine, req }) => {
      const host = (req.get('host') ?? '').toLowerCase();
      const { rows } = await engine.db.knex.raw('SELECT platform_id, name, branding FROM sb_platform_branding_for_host(?)', [host]);
      const p = rows[0];
      return { object: 'branding', platform: p?.name ?? null, branding: mergeBranding(p?.name ?? 'Switchboard', { displayName: p?.branding?.displayName ?? p?.name ?? 'Switchboard' }, p?.branding) };
    },
  }),
];
