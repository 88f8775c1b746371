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
    // Tokens are stateless: a suspension must still end the streams they open.
    await engine.tenant(orgId, (tx) => refuseSuspended(tx));
    bound = claims.conversationId;
    widget = claims.audience === 'widget';
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
