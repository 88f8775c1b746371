import type { IncomingMessage } from 'node:http';
import type { Engine } from '../../core/engine.ts';
import { authenticate } from '../../core/orgs.ts';
import { hasScope } from '../../core/scopes.ts';
import { AppError, invalid } from '../../core/errors.ts';
import { decodeCursor, type Position } from '../../core/events/cursor.ts';
import type { EngineEvent } from '../../core/events/events.ts';
import { visitorEvent } from '../../core/widget/views.ts';
import { assertConversation, verifyRealtimeToken } from './tokens.ts';
import { refuseSuspended } from '../../core/platforms/branding.ts';
import { originAllowed } from '../../core/widget/identity.ts';
import { loadWidgetConnection } from '../../core/widget/visitors.ts';
import { assertEmbedOrigin } from '../http/embed-guard.ts';

export const REALTIME_PATH = '/v1/realtime';

export interface SessionParams {
  orgId: string;
  conversationId?: string;
  /** Resume after this feed position; null = live from now. */
  after: Position | null;
  /** What the client may see of an event (null: nothing); a widget visitor sees messages only, reduced. */
  view?: (e: EngineEvent) => EngineEvent | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN = new Set(['token', 'cursor', 'conversationId']);
const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Decides an upgrade request before any WebSocket exists, so a refusal is a plain HTTP status
 * (401, 403, 400, 404) the client can read. Credentials: an API key in the Authorization header
 * (servers) or ?token= from POST /v1/realtime/tokens (browsers).
 */
export async function authorizeUpgrade(engine: Engine, req: IncomingMessage): Promise<SessionParams> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== REALTIME_PATH) throw new AppError('not_found', `No WebSocket at ${url.pathname}.`);
  for (const name of url.searchParams.keys()) {
    if (!KNOWN.has(name)) throw invalid(name, 'is not a known parameter (token, cursor, conversationId)');
  }
  let orgId: string;
  let bound: string | undefined;
  let widget = false;
  const header = req.headers.authorization;
  const token = url.searchParams.get('token');
  if (header) {
    const m = BEARER.exec(header);
    const principal = m ? await authenticate(engine.db, m[1]) : null;
    if (!principal) throw new AppError('unauthorized', 'Invalid API key.');
    if (principal.suspended) throw new AppError('org_suspended', 'This org is suspended: its API keys are refused until it is resumed.');
    if (!hasScope(principal.scopes, 'events:read')) {
      throw new AppError('forbidden', 'This API key lacks the "events:read" scope.', { details: { scope: 'events:read' } });
    }
    orgId = principal.orgId;
  } else if (token) {
    const claims = await verifyRealtimeToken(engine, token);
    orgId = claims.orgId;
    widget = claims.audience === 'widget';
    const origin = req.headers.origin;
    await engine.tenant(orgId, async (tx) => {
      // A browser always sends Origin on a WebSocket handshake: the page a widget or UI kit token is
      // used from must be one its key / embed token allows, as on the REST calls (a server sends no
      // Origin and could claim any, so its absence is not a refusal).
      if (widget && origin && !originAllowed((await loadWidgetConnection(tx, claims.connectionId!)).config, origin)) {
        throw new AppError('forbidden', `Origin "${origin}" is not allowed to use this chat. Add it to the connection's allowedOrigins.`, { details: [{ field: 'Origin', reason: "not in the connection's allowedOrigins" }] });
      }
      if (claims.embedOrigins) assertEmbedOrigin(engine, claims.embedOrigins, origin, `${'encrypted' in req.socket ? 'https' : 'http'}://${req.headers.host}`);
      // Tokens are stateless: a suspension must still end the streams they open.
      await refuseSuspended(tx);
    });
    bound = claims.conversationId;
    if (widget && !bound) throw new AppError('forbidden', 'A widget session streams one conversation: use POST /v1/widget/realtime-tokens.');
  } else {
    throw new AppError('unauthorized', 'Send Authorization: Bearer <API key>, or ?token= from POST /v1/realtime/tokens.');
  }
  const asked = url.searchParams.get('conversationId') || undefined;
  if (asked && !UUID.test(asked)) throw invalid('conversationId', 'must be a UUID');
  if (bound && asked && asked.toLowerCase() !== bound.toLowerCase()) {
    throw new AppError('forbidden', 'This token is bound to another conversation.');
  }
  const conversationId = bound ?? asked;
  if (conversationId && !bound) await assertConversation(engine, orgId, conversationId);
  const cursor = url.searchParams.get('cursor');
  return { orgId, conversationId, after: cursor ? decodeCursor(cursor) : null, ...(widget ? { view: visitorEvent } : {}) };
}
