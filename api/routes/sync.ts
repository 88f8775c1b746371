import { defineRoute } from '../http/route.ts';
import { decodeCursor, encodeCursor } from '../../core/events/cursor.ts';
import { decodeEvent, positionOf, readOrgEvents, readOrgEventsNewestFirst } from '../../core/events/events.ts';
import { orgSettings } from '../../core/org-settings.ts';
import { thinEvent } from '../../core/compliance/hipaa.ts';

export const syncRoutes = [
  defineRoute<unknown, { cursor?: string; limit?: number; conversationId?: string; types?: string; order?: 'asc' | 'desc' }>({
    method: 'get',
    path: '/v1/sync',
    summary: "Page through the org's events in order (the change feed)",
    tag: 'Events',
    scope: 'events:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cursor: { type: 'string', description: 'nextCursor of the previous page; omit to start at the beginning' },
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        conversationId: { type: 'string', format: 'uuid' },
        types: { type: 'string', description: 'Comma-separated event types, e.g. message.created,message.status_changed' },
        order: { enum: ['asc', 'desc'], default: 'asc', description: 'desc browses backwards: newest first, then older than nextCursor (for event-log screens; syncing uses asc)' },
      },
    },
    response: {
      type: 'object',
      properties: { events: { type: 'array', items: { type: 'object' } }, nextCursor: { type: 'string' }, hasMore: { type: 'boolean' } },
    },
    handler: async ({ engine, auth, query }) => {
      const after = decodeCursor(query.cursor);
      const limit = query.limit ?? 100;
      const filter = { conversationId: query.conversationId, types: query.types?.split(',').map((t) => t.trim()).filter(Boolean) };
      const backwards = query.order === 'desc';
      return engine.tenant(auth.orgId, async (tx) => {
        const rows = backwards ? await readOrgEventsNewestFirst(tx.trx, query.cursor ? after : null, limit, filter) : await readOrgEvents(tx.trx, after, limit, filter);
        const last = rows.at(-1);
        // HIPAA mode: ids and types only; content is fetched through the API (and audited there).
        const thin = rows.length > 0 && (await orgSettings(tx.trx, auth.orgId)).hipaaMode;
        return {
          events: rows.map((r) => (thin ? thinEvent(decodeEvent(r, tx.crypto)) : decodeEvent(r, tx.crypto))),
          // An empty page keeps the caller's position, so polling with nextCursor never skips.
          nextCursor: last ? encodeCursor(positionOf(last)) : encodeCursor(after),
          hasMore: rows.length === limit,
        };
      });
    },
  }),
];
