import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import type { Harness } from '../test/harness.ts';
import { usePipeline } from '../test/pipeline.ts';

/**
 * The org's own corrections feed its local classifier: PUT /v1/messages/{id}/ai-correction
 * (audited, labels only), then a later message like the corrected one is classified the org's
 * way, while another org's model is untouched.
 */
const pipeline = usePipeline({ workers: false });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

let phone = 0;
async function inbound(apiKey: string, body: string) {
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'phone', value: `+1415555${String(2000 + ++phone)}` }] });
  const m = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  return m.body as { id: string; conversationId: string };
}

const intentOf = async (apiKey: string, body: string) => {
  const m = await inbound(apiKey, body);
  const r = await h.call(apiKey, 'POST', `/v1/conversations/${m.conversationId}/enrich`, { tasks: ['intent', 'sentiment'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { id: r.body.intent.id as string, sentiment: r.body.sentiment.label as string };
};

test('a correction changes later classifications of messages like it, in that org only; audited without text; bad input refused', async () => {
  const a = await h.newOrg();
  const b = await h.newOrg();
  const LATER = 'dog next door barking all night';
  assert.equal((await intentOf(a.apiKey, LATER)).id, 'maintenance_request', 'the shipped model reads it as a repair');

  const m = await inbound(a.apiKey, 'the dog next door barks all night');
  const put = await h.call(a.apiKey, 'PUT', `/v1/messages/${m.id}/ai-correction`, { intent: 'complaint', sentiment: 'negative' });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual([put.body.object, put.body.messageId, put.body.intent, put.body.sentiment], ['ai_correction', m.id, 'complaint', 'negative']);
  assert.equal((await h.call(a.apiKey, 'GET', `/v1/messages/${m.id}/ai-correction`)).body.intent, 'complaint');

  assert.equal((await intentOf(a.apiKey, LATER)).id, 'complaint', 'the org’s model learned from its correction');
  assert.equal((await intentOf(b.apiKey, LATER)).id, 'maintenance_request', 'another org’s model did not');

  // A second correction retrains the model again (the corrections' version changed).
  const n = await inbound(a.apiKey, 'can u send the invoice for the gutter job');
  assert.equal((await h.call(a.apiKey, 'PUT', `/v1/messages/${n.id}/ai-correction`, { sentiment: 'positive' })).status, 200);
  assert.equal((await intentOf(a.apiKey, 'can u send the invoice for the gutter job')).sentiment, 'positive');

  const audit = await h.engine.tenant(a.orgId, (tx) => tx.trx('audit_log').where({ action: 'ai.corrected' }).orderBy('seq'));
  assert.equal(audit.length, 2);
  assert.equal(audit[0].target_id, m.id);
  assert.doesNotMatch(JSON.stringify(audit), /dog|gutter/);

  const bad = await h.call(a.apiKey, 'PUT', `/v1/messages/${m.id}/ai-correction`, { intent: 'horoscope' });
  assert.deepEqual([bad.status, bad.body.error.details[0].field], [400, '/intent']);
  assert.equal((await h.call(a.apiKey, 'PUT', `/v1/messages/${m.id}/ai-correction`, {})).status, 400);
  assert.equal((await h.call(b.apiKey, 'PUT', `/v1/messages/${m.id}/ai-correction`, { intent: 'complaint' })).status, 404, 'another org’s message');
});
