import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../test/harness.ts';
import { usePipeline } from '../test/pipeline.ts';
import { syncEvents } from '../test/connections.ts';
import { reply } from '../test/nock-reply.ts';

/**
 * Done means (2) and (3), an org with an OpenAI-compatible AI connection (HTTP intercepted by
 * nock in the documented chat.completion format): the summary and intent come from the
 * provider's structured output; safe mode redacts a card number before the request (asserted on
 * the body nock received); invalid output → one retry → the local provider, recorded; HIPAA mode
 * refuses a connection without a BAA; a token budget of 0 makes no external call.
 */
const pipeline = usePipeline({ workers: false });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const BASE = 'https://llm.acme-pm.example.com';
const CARD = '4111 1111 1111 1111';

/** A chat.completion as OpenAI documents it (choices[].message.content carries the JSON). */
function completion(content: string, usage = { prompt_tokens: 412, completion_tokens: 96, total_tokens: 508 }) {
  return {
    id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
    object: 'chat.completion',
    created: 1764842400,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: { ...usage, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
    service_tier: 'default',
    system_fingerprint: 'fp_06737a9306',
  };
}

const ANSWER = {
  intent: { id: 'payment', confidence: 0.94 },
  sentiment: { label: 'neutral', score: 0.05 },
  entities: [{ type: 'money', text: '$1,450' }, { type: 'unit', text: '4B' }],
  summary: 'Tenant in 4B wants the $1,450 December rent charged to the card on file.',
  suggestedReplyIds: [],
};

async function org(settings: Record<string, unknown>, connection: Record<string, unknown> = {}) {
  const { apiKey, orgId } = await h.newOrg();
  const s = await h.call(apiKey, 'PATCH', '/v1/org', { settings });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const conn = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'openai', name: 'LLM', config: { baseUrl: `${BASE}/v1`, model: 'gpt-4o-mini', ...connection }, secrets: { apiKey: 'sk-test-9f8e7d6c5b4a' } });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Dana Tenant', handles: [{ kind: 'phone', value: '+14155550134' }] });
  const m = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: `Please charge my card ${CARD} for the $1,450 December rent, unit 4B` });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const usage = () => h.engine.tenant(orgId, (tx) => tx.trx('ai_usage').first());
  return { apiKey, orgId, conversationId: m.body.conversationId as string, connectionId: conn.body.id as string, usage };
}

function llm(...answers: string[]) {
  const bodies: any[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  const scope = nock(BASE);
  for (const a of answers) {
    scope.post('/v1/chat/completions', (b) => (bodies.push(b), true)).reply(function () {
      headers.push(this.req.headers);
      return reply(200, completion(a));
    });
  }
  return { scope, bodies, headers };
}

test('structured output: summary and intent from the provider; safe mode redacts the card before the request; tokens recorded', async () => {
  const { apiKey, conversationId, usage } = await org({ safeMode: { enabled: true, apply: 'before_egress' } });
  const api = llm(JSON.stringify(ANSWER));
  const r = await h.call(apiKey, 'POST', `/v1/conversations/${conversationId}/enrich`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(api.scope.isDone());
  assert.deepEqual([r.body.provider, r.body.model, r.body.fallback], ['openai', 'gpt-4o-mini-2024-07-18', null]);
  assert.equal(r.body.summary, ANSWER.summary);
  assert.deepEqual(r.body.intent, ANSWER.intent);
  assert.deepEqual(r.body.entities.map((e: any) => [e.type, e.text]), [['money', '$1,450'], ['unit', '4B']]);

  const sent = api.bodies[0];
  assert.equal(api.headers[0]!.authorization, 'Bearer sk-test-9f8e7d6c5b4a');
  assert.equal(sent.model, 'gpt-4o-mini');
  assert.equal(sent.response_format.type, 'json_schema');
  assert.equal(sent.response_format.json_schema.strict, true);
  assert.deepEqual(sent.response_format.json_schema.schema.properties.intent.properties.id.enum.length, 10);
  const text = JSON.stringify(sent.messages);
  assert.ok(!text.includes(CARD) && !text.includes('4111111111111111'), 'the card number never left');
  assert.match(text, /\[redacted card ••••1111\]/);
  assert.match(text, /\$1,450 December rent, unit 4B/);
  // Stored as sent (before_egress): only the copy that left was redacted.
  assert.equal(Number((await usage()).total_tokens), 508);

  const events = await syncEvents(h, apiKey, (e) => e.some((x) => x.type === 'conversation.enriched'));
  assert.equal(events.find((x) => x.type === 'conversation.enriched')!.data.enrichment.summary, ANSWER.summary);
});

test('invalid output → one retry → the local provider, recorded with the tokens both calls used', async () => {
  const o = await org({});
  const api = llm('{"intent": {"id": "payment", "confid', JSON.stringify({ ...ANSWER, intent: { id: 'not_an_intent', confidence: 2 } }));
  const r = await h.call(o.apiKey, 'POST', `/v1/conversations/${o.conversationId}/enrich`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(api.scope.isDone(), 'two calls: the first answer, then the retry');
  assert.equal(api.bodies.length, 2);
  assert.deepEqual([r.body.provider, r.body.fallback, r.body.model], ['local', 'invalid_output', 'local']);
  assert.equal(r.body.intent.id, 'payment', 'the local classifier answered');
  assert.notEqual(r.body.summary, ANSWER.summary);
  const u = await o.usage();
  assert.deepEqual([Number(u.calls), Number(u.total_tokens)], [2, 1016]);
});

test('HIPAA mode: an AI connection without a BAA is refused at creation and on update; one made before HIPAA mode is never called (local, recorded); one marked baaCovered is', async () => {
  const hipaa = await h.newOrg();
  assert.equal((await h.call(hipaa.apiKey, 'PATCH', '/v1/org', { settings: { hipaaMode: true } })).status, 200);
  const create = (config: Record<string, unknown>) =>
    h.call(hipaa.apiKey, 'POST', '/v1/connections', { connector: 'openai', name: 'LLM', config: { baseUrl: `${BASE}/v1`, model: 'gpt-4o-mini', ...config }, secrets: { apiKey: 'sk-test-9f8e7d6c5b4a' } });
  for (const config of [{}, { baaCovered: false }]) {
    const refused = await create(config);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'connection_not_baa_covered');
    assert.equal(refused.body.error.details[0].field, '/config/baaCovered');
  }
  const covered0 = await create({ baaCovered: true });
  assert.equal(covered0.status, 201, JSON.stringify(covered0.body));
  const off = await h.call(hipaa.apiKey, 'PATCH', `/v1/connections/${covered0.body.id}`, { config: { baseUrl: `${BASE}/v1`, model: 'gpt-4o-mini', baaCovered: false } });
  assert.deepEqual([off.status, off.body.error?.code], [422, 'connection_not_baa_covered']);
  assert.equal((await h.call(hipaa.apiKey, 'GET', `/v1/connections/${covered0.body.id}`)).body.config.baaCovered, true, 'nothing changed');

  // A connection made before the org turned HIPAA mode on is never called.
  const o = await org({});
  assert.equal((await h.call(o.apiKey, 'PATCH', '/v1/org', { settings: { hipaaMode: true } })).status, 200);
  const api = llm(JSON.stringify(ANSWER));
  const r = await h.call(o.apiKey, 'POST', `/v1/conversations/${o.conversationId}/enrich`, {});
  assert.deepEqual([r.body.provider, r.body.fallback], ['local', 'hipaa_not_baa']);
  assert.equal(api.bodies.length, 0, 'no request left');
  nock.cleanAll();

  const covered = await org({ hipaaMode: true }, { baaCovered: true });
  const api2 = llm(JSON.stringify(ANSWER));
  const r2 = await h.call(covered.apiKey, 'POST', `/v1/conversations/${covered.conversationId}/enrich`, {});
  assert.deepEqual([r2.body.provider, r2.body.fallback], ['openai', null]);
  assert.equal(api2.bodies.length, 1);
});

test('a monthly budget of 0 tokens: no external call, local result recorded, one ai.budget_exceeded event', async () => {
  const o = await org({ ai: { monthlyTokenBudget: 0 } });
  const api = llm(JSON.stringify(ANSWER));
  const r = await h.call(o.apiKey, 'POST', `/v1/conversations/${o.conversationId}/enrich`, {});
  assert.deepEqual([r.body.provider, r.body.fallback], ['local', 'budget_exhausted']);
  assert.equal(api.bodies.length, 0);
  // A new message, a new version: still local, and the event is not repeated.
  const conv = await h.call(o.apiKey, 'GET', `/v1/conversations/${o.conversationId}`);
  const contactId = conv.body.contactId;
  await h.call(o.apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId }, body: 'also the sink drips' });
  const r2 = await h.call(o.apiKey, 'POST', `/v1/conversations/${o.conversationId}/enrich`, {});
  assert.deepEqual([r2.body.provider, r2.body.fallback, r2.body.cached], ['local', 'budget_exhausted', false]);
  assert.equal(api.bodies.length, 0);
  const events = await syncEvents(h, o.apiKey, (e) => e.filter((x) => x.type === 'conversation.enriched').length === 2);
  const exceeded = events.filter((x) => x.type === 'ai.budget_exceeded');
  assert.equal(exceeded.length, 1);
  assert.deepEqual([exceeded[0]!.data.budget, exceeded[0]!.data.used], [0, 0]);
});
