import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { waitFor } from '../test/wait.ts';
import { ACCOUNT_SID, OUR_NUMBER, postTwilio } from '../test/connections.ts';
import { api, cliEnv, runCli, startCli, type CliEnv, type Server } from '../cli/testing.ts';

/**
 * Done means (1) against the real process: `switchboard start` with no AI key (embedded, or
 * production when DATABASE_URL/REDIS_URL are set), a signed inbound SMS "water is pouring through
 * my ceiling in 4B!!" → within seconds message.enriched (emergency, negative, unit 4B) on
 * /v1/sync → a rule on message.ai.intent == "emergency" sends the on-call SMS (sandbox Twilio).
 */
const AUTH_TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
const ON_CALL = '+14155550177';
let ctx: CliEnv;
let server: Server;
beforeAll(async () => {
  ctx = await cliEnv();
  for (const k of Object.keys(ctx.env)) if (/^(AI_|OPENAI)/.test(k)) delete ctx.env[k];
  server = await startCli(ctx.env, 300_000);
});
afterAll(async () => {
  await server?.stop();
  await ctx?.dispose();
});

async function events(apiKey: string): Promise<{ type: string; data: any }[]> {
  const out = [];
  let cursor: string | undefined;
  for (;;) {
    const res = await api(server.url, apiKey, 'GET', `/v1/sync?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, res.text);
    out.push(...res.json.events);
    if (!res.json.hasMore) return out;
    cursor = res.json.nextCursor;
  }
}

test('switchboard start, no AI key: the emergency SMS → message.enriched (emergency, negative, 4B) within seconds → the rule sends the on-call SMS', async () => {
  const created = await runCli(['org', 'create', '--name', 'AI start test', '--json'], ctx.env);
  assert.equal(created.code, 0, created.stderr);
  const { apiKey } = JSON.parse(created.stdout.trim().split('\n').pop()!);
  const conn = await api(server.url, apiKey, 'POST', '/v1/connections', { connector: 'twilio', name: 'Front desk', config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER] }, secrets: { authToken: AUTH_TOKEN }, sandbox: true });
  assert.equal(conn.status, 201, conn.text);
  const rule = await api(server.url, apiKey, 'POST', '/v1/rules', {
    name: 'Page on-call',
    trigger: 'message.enriched',
    condition: { '==': [{ var: 'message.ai.intent' }, 'emergency'] },
    actions: [{ type: 'send_message', channel: 'sms', to: { handle: { kind: 'phone', value: ON_CALL } }, body: 'EMERGENCY in {{message.ai.entities.0.text}}' }],
  });
  assert.equal(rule.status, 201, rule.text);

  const sid = 'SM' + crypto.randomBytes(16).toString('hex');
  const posted = Date.now();
  const res = await postTwilio(conn.json.inboundUrl, { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: '+14155553202', To: OUR_NUMBER, Body: 'water is pouring through my ceiling in 4B!!', NumMedia: '0' }, { token: AUTH_TOKEN });
  assert.equal(res.status, 200, res.text);

  const enriched = await waitFor('message.enriched', async () => (await events(apiKey)).find((e) => e.type === 'message.enriched') ?? null, 10_000, 100);
  const seconds = (Date.now() - posted) / 1000;
  assert.ok(seconds < 10, `${seconds}s`);
  const e = enriched!.data.enrichment;
  assert.equal(e.intent.id, 'emergency');
  assert.equal(e.sentiment.label, 'negative');
  assert.deepEqual(e.entities.map((x: any) => [x.type, x.text]), [['unit', '4B']]);
  assert.deepEqual([e.provider, e.fallback], ['local', null]);

  const page = await waitFor('the on-call SMS', async () => {
    const all = await events(apiKey);
    return all.find((x) => x.type === 'message.created' && x.data.message?.direction === 'outbound') ?? null;
  }, 15_000, 100);
  const m = page!.data.message;
  assert.equal(m.body, 'EMERGENCY in 4B');
  const conversation = await api(server.url, apiKey, 'GET', `/v1/conversations/${m.conversationId}/messages`);
  assert.equal(conversation.status, 200, conversation.text);
  assert.ok(conversation.json.data.some((x: any) => x.direction === 'outbound' && x.body === 'EMERGENCY in 4B'));
});
