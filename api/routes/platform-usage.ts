import { defineRoute } from '../http/route.ts';
import { csvLines } from '../http/csv.ts';
import { withPlatform } from '../../core/db/tenant.ts';
import { notFound, invalid } from '../../core/errors.ts';
import { USAGE_METRICS, usageDay } from '../../core/platforms/usage.ts';
import { platformIdOf } from './platform.ts';

/**
 * GET /v1/platform/usage: usage per org and day for billing pass-through, as JSON or CSV
 * (`format=csv`). Read with the platform setting: usage_daily's platform policy shows only rows
 * of the platform's own orgs, so an orgId of another platform is a 404 like an unknown one.
 */
const DAY = '^\\d{4}-\\d{2}-\\d{2}$';
const MAX_DAYS = 366;

interface UsageQuery {
  from?: string;
  to?: string;
  orgId?: string;
  format?: 'json' | 'csv';
}

const rowSchema = {
  type: 'object',
  properties: {
    orgId: { type: 'string', format: 'uuid' },
    day: { type: 'string', format: 'date' },
    metric: { enum: [...USAGE_METRICS] },
    channel: { type: ['string', 'null'] },
    connector: { type: ['string', 'null'] },
    quantity: { type: 'number' },
  },
};

export const platformUsageRoutes = [
  defineRoute<unknown, UsageQuery>({
    method: 'get',
    path: '/v1/platform/usage',
    summary: "Usage per org and day (messages and segments by channel and connector, AI tokens, WebSocket minutes, stored bytes); format=csv for a CSV export",
    tag: 'Platform orgs',
    scope: 'platform:usage',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', pattern: DAY, description: 'First day (UTC, inclusive); default: the first of this month' },
        to: { type: 'string', pattern: DAY, description: 'Last day (UTC, inclusive); default: today' },
        orgId: { type: 'string', format: 'uuid' },
        format: { enum: ['json', 'csv'], default: 'json' },
      },
    },
    response: { type: 'object', properties: { object: { const: 'list' }, from: { type: 'string' }, to: { type: 'string' }, data: { type: 'array', items: rowSchema } } },
    handler: (ctx) => {
      const now = new Date();
      const from = ctx.query.from ?? usageDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)));
      const to = ctx.query.to ?? usageDay(now);
      const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      if (Number.isNaN(span)) throw invalid('/query/from', 'must be a date YYYY-MM-DD');
      if (span < 0) throw invalid('/query/to', 'must not be before from');
      if (span > MAX_DAYS) throw invalid('/query/to', `at most ${MAX_DAYS} days after from`);
      return withPlatform(ctx.engine.db, platformIdOf(ctx), async (trx) => {
        if (ctx.query.orgId && !(await trx('orgs').where({ id: ctx.query.orgId }).first('id'))) throw notFound('org');
        const q = trx('usage_daily')
          .select('org_id', trx.raw(`to_char(day, 'YYYY-MM-DD') AS day`), 'metric', 'channel', 'connector')
          .sum({ quantity: 'quantity' })
          .whereBetween('day', [from, to])
          .groupBy('org_id', 'day', 'metric', 'channel', 'connector')
          .orderBy([{ column: 'day' }, { column: 'org_id' }, { column: 'metric' }, { column: 'channel' }, { column: 'connector' }]);
        if (ctx.query.orgId) q.where({ org_id: ctx.query.orgId });
        const data = (await q).map((r: any) => ({ orgId: r.org_id, day: r.day, metric: r.metric, channel: r.channel || null, connector: r.connector || null, quantity: Number(r.quantity) }));
        if (ctx.query.format !== 'csv') return { object: 'list', from, to, data };
        ctx.res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="usage-${from}-${to}.csv"`);
        ctx.res.send(csvLines(['org_id', 'day', 'metric', 'channel', 'connector', 'quantity'], data.map((d) => [d.orgId, d.day, d.metric, d.channel, d.connector, d.quantity])));
        return undefined;
      });
    },
  }),
];
