import type { NextFunction, Request, Response } from 'express';
import type { Engine } from '../../core/engine.ts';
import { AppError } from '../../core/errors.ts';
import type { EmbedClaims } from '../routes/embed-tokens.ts';

/**
 * Where an embed token (sbet_…) may go, and the metadata filter on each of those routes. An
 * allowlist: any route not named here answers 403, so a route added later is closed to embed
 * tokens until someone decides how the filter applies to it. A conversation outside the filter
 * is "not found", exactly like another org's (no hint that it exists).
 */
type Check = (engine: Engine, claims: EmbedClaims, req: Request) => Promise<void>;

const notFound = (what: string) => new AppError('not_found', `No ${what} found.`);

async function conversationInFilter(engine: Engine, c: EmbedClaims, id: unknown): Promise<void> {
  if (typeof id !== 'string') return; // the route's own validation answers
  const row = await engine.tenant(c.orgId, (tx) =>
    tx.trx('conversations').where({ id }).whereRaw('metadata @> ?::jsonb', [JSON.stringify(c.metadata)]).first('id'),
  ).catch(() => null);
  if (!row) throw notFound('conversation');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const param = (req: Request, re: RegExp) => {
  const id = re.exec(req.path)?.[1];
  if (!id || !UUID.test(id)) throw notFound('resource');
  return id;
};

const ROUTES: { method: string; path: RegExp; check: Check }[] = [
  {
    // The list is the filter: the token's pairs override any the page asks for.
    method: 'GET',
    path: /^\/v1\/conversations\/?$/,
    check: async (_e, c, req) => {
      const query = { ...(req.query as Record<string, unknown>) };
      const asked = typeof query.metadata === 'object' && query.metadata ? (query.metadata as Record<string, unknown>) : {};
      query.metadata = { ...asked, ...c.metadata };
      if (!Object.keys(query.metadata as object).length) delete query.metadata;
      Object.defineProperty(req, 'query', { value: query, configurable: true, enumerable: true, writable: true });
    },
  },
  { method: 'GET', path: /^\/v1\/conversations\/([^/]+)\/?$/, check: (e, c, req) => conversationInFilter(e, c, param(req, /^\/v1\/conversations\/([^/]+)/)) },
  { method: 'GET', path: /^\/v1\/conversations\/([^/]+)\/messages\/?$/, check: (e, c, req) => conversationInFilter(e, c, param(req, /^\/v1\/conversations\/([^/]+)/)) },
  {
    method: 'GET',
    path: /^\/v1\/messages\/([^/]+)\/?$/,
    check: async (engine, c, req) => {
      const id = param(req, /^\/v1\/messages\/([^/]+)/);
      const row = await engine.tenant(c.orgId, (tx) => tx.trx('messages').where({ id }).first('conversation_id'));
      if (!row) throw notFound('message');
      await conversationInFilter(engine, c, row.conversation_id).catch(() => {
        throw notFound('message');
      });
    },
  },
  {
    method: 'GET',
    path: /^\/v1\/contacts\/([^/]+)\/?$/,
    check: async (engine, c, req) => {
      const id = param(req, /^\/v1\/contacts\/([^/]+)/);
      const row = await engine.tenant(c.orgId, (tx) =>
        tx.trx('conversations').where({ contact_id: id }).whereRaw('metadata @> ?::jsonb', [JSON.stringify(c.metadata)]).first('id'),
      );
      if (!row) throw notFound('contact');
    },
  },
  ...['/v1/messages', '/v1/send'].map((p) => ({
    // Replies in a conversation the token reaches, to its customer on its channel: nothing else.
    method: 'POST',
    path: new RegExp(`^${p}/?$`),
    check: async (engine: Engine, c: EmbedClaims, req: Request) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      if (!b.conversationId) throw new AppError('forbidden', 'An embed token sends only in a conversation: give conversationId.', { details: [{ field: '/conversationId', reason: 'is required with an embed token' }] });
      for (const f of ['to', 'from', 'direction'] as const) {
        if (b[f] !== undefined && !(f === 'direction' && b[f] === 'outbound')) {
          throw new AppError('forbidden', `An embed token cannot set "${f}": it replies to the conversation's customer.`, { details: [{ field: `/${f}`, reason: 'not allowed with an embed token' }] });
        }
      }
      await conversationInFilter(engine, c, b.conversationId);
    },
  })),
  {
    // Live updates for one reachable conversation only, and no longer than the embed token lives.
    method: 'POST',
    path: /^\/v1\/realtime\/tokens\/?$/,
    check: async (engine, c, req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      if (!b.conversationId) throw new AppError('forbidden', 'An embed token streams one conversation: give conversationId.', { details: [{ field: '/conversationId', reason: 'is required with an embed token' }] });
      await conversationInFilter(engine, c, b.conversationId);
      const left = Math.floor(c.exp - Date.now() / 1000);
      if (typeof b.ttlSeconds !== 'number' || b.ttlSeconds > left) b.ttlSeconds = Math.max(1, Math.min(left, 600));
    },
  },
];

/**
 * CORS preflight for the routes an embed token reaches. It may answer any origin: a preflight
 * carries no token and grants nothing; the request that follows is checked against its token's
 * origins (admitEmbedOrigin).
 */
export function embedCors(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'OPTIONS' || !ROUTES.some((r) => r.path.test(req.path))) return next();
  const origin = req.get('origin');
  res.setHeader('Vary', 'Origin');
  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
  res.setHeader('Access-Control-Max-Age', '600');
  res.status(204).end();
}

/**
 * A browser on another origin may use a token only if the token names that origin (minted with
 * origins: [...]); it then may read the answer. A refusal is readable too, so the app can tell
 * "not allowed here" from a network failure. Same-origin pages (the /kit example) and servers
 * (no Origin) need nothing.
 */
function admitEmbedOrigin(engine: Engine, claims: EmbedClaims, req: Request, res: Response): void {
  const origin = req.get('origin')?.toLowerCase();
  const reached = `${req.protocol}://${req.get('host')}`;
  if (!origin || isOwnOrigin(engine, origin, reached)) return;
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Origin', origin);
  assertEmbedOrigin(engine, claims.origins, origin, reached);
}

/** The API's own origin (as the request reached it, or its public URL): the dashboard and the /kit example page. */
function isOwnOrigin(engine: Engine, origin: string, reached: string): boolean {
  return [reached.toLowerCase(), new URL(engine.config.publicUrl).origin.toLowerCase()].includes(origin.toLowerCase());
}

/**
 * The one origin rule for an embed token, on REST calls and on the realtime WebSocket it leads to
 * (api/realtime/auth.ts): no Origin (a server) or the API's own origin pass; any other browser
 * origin must be one the token was minted with.
 */
export function assertEmbedOrigin(engine: Engine, origins: string[] | undefined, origin: string | undefined, reached: string): void {
  if (!origin || isOwnOrigin(engine, origin, reached)) return;
  if (!origins?.includes(origin.toLowerCase())) {
    throw new AppError('forbidden', `Origin "${origin}" is not allowed to use this embed token. Mint it with origins: ["${origin}"].`, { details: [{ field: 'Origin', reason: 'not in the token\'s origins' }] });
  }
}

export function embedGuard(engine: Engine) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const claims = (res.locals as { embed?: EmbedClaims }).embed;
    if (!claims) return next();
    try {
      admitEmbedOrigin(engine, claims, req, res);
      const route = ROUTES.find((r) => r.method === req.method && r.path.test(req.path));
      if (!route) throw new AppError('forbidden', `An embed token cannot call ${req.method} ${req.path}: it reaches conversations, their messages and contacts only.`);
      await route.check(engine, claims, req);
      next();
    } catch (err) {
      next(err);
    }
  };
}
