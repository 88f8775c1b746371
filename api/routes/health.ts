import { defineRoute } from '../http/route.ts';
import { buildOpenApi } from '../http/openapi.ts';

export const healthRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/health',
    summary: 'Health of the API, its database and its queue',
    tag: 'System',
    scope: null,
    handler: async ({ engine, res }) => {
      const database = await engine.db.knex
        .raw('SELECT 1')
        .then(() => ({ ok: true, kind: engine.db.kind }))
        .catch((e: Error) => ({ ok: false, kind: engine.db.kind, detail: e.message }));
      const queue = { ...(await engine.queue.health().catch((e: Error) => ({ ok: false, detail: e.message }))), kind: engine.queue.kind };
      const realtime = { ...(await engine.realtime.health().catch((e: Error) => ({ ok: false, detail: e.message }))), kind: engine.realtime.kind };
      const ok = database.ok && queue.ok && realtime.ok;
      const body = { status: ok ? 'ok' : 'degraded', mode: engine.config.mode, database, queue, realtime };
      // Answered here: defineRoute would send its fixed success status, and a load balancer needs the 503.
      res.status(ok ? 200 : 503).json(body);
      return body;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'System',
    scope: null,
    handler: async ({ engine }) => buildOpenApi(engine.config.publicUrl),
  }),
];
