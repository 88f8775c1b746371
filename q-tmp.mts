import pg from 'pg';
import { startStack } from './bench/lib/stack.ts';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/sb_bench_read_100k' }); await c.connect();
const m = (await c.query('select * from bench_read_meta')).rows[0]; await c.end();
const s = await startStack({ SWITCHBOARD_MASTER_KEY: m.master_key }, { background: false, database: { url: 'postgres://postgres@127.0.0.1:5432/sb_bench_read_100k' }, org: { id: m.org_id, apiKey: m.api_key } });
const paths = [`/v1/conversations/${m.long_conversations[0]}/messages?limit=50`, `/v1/conversations?metadata[unit]=4B&status=open&channel=sms&limit=50`];
for (const p of paths) {
  await fetch(s.base + p, { headers: { authorization: `Bearer ${m.api_key}` } });
  const seen: string[] = [];
  const on = (q: any) => seen.push(q.sql.slice(0, 120));
  s.engine.db.knex.on('query', on);
  const t = performance.now();
  const r = await fetch(s.base + p, { headers: { authorization: `Bearer ${m.api_key}` } });
  await r.text();
  console.log(p, r.status, (performance.now() - t).toFixed(1), 'ms');
  s.engine.db.knex.off('query', on);
  console.log(seen.join('\n'));
}
await s.close(); process.exit(0);
