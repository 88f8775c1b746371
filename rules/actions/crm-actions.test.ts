import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { CUSTOMER, OUR_NUMBER, postTwilio, twilioConnection } from '../../test/connections.ts';
import { runRulesForEvent } from '../runner.ts';
import { reply } from '../../test/nock-reply.ts';

const API = 'https://api.hubapi.com';

const pipeline = usePipeline({ workers: false });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

test('rule actions link_contact + log_to_crm on message.received: linked and logged once, a replayed event calls HubSpot no more', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const twilio = await twilioConnection(h, apiKey);
  assert.equal((await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot', secrets: { accessToken: 'pat-na1-rules' } })).status, 201);
  const rule = await h.call(apiKey, 'POST', '/v1/rules', {
    name: 'Log texts to HubSpot',
    trigger: 'message.received',
    actions: [{ type: 'link_contact', connector: 'hubspot' }, { type: 'log_to_crm', connector: 'hubspot' }],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const test = await h.call(apiKey, 'POST', `/v1/rules/${rule.body.id}/test`, { event: { type: 'message.received', data: {} } });
  assert.equal(test.status, 200, JSON.stringify(test.body));

  assert.equal((await postTwilio(twilio.inboundUrl, { MessageSid: 'SM' + 'c'.repeat(32), AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: CUSTOMER, To: OUR_NUMBER, Body: 'Is the gym open?', NumMedia: '0' })).status, 200);
  const event = await h.engine.tenant(orgId, (tx) => tx.trx('events').where({ type: 'message.created' }).orderBy('seq', 'desc').first());

  let logged: any;
  const scope = nock(API)
    .post('/crm/v3/objects/contacts/search').once().reply(...reply(200, { total: 1, results: [{ id: '51', properties: { phone: CUSTOMER }, createdAt: '2026-10-02T14:11:09Z', updatedAt: '2026-10-02T14:11:09Z', archived: false }] }))
    .post('/crm/v3/objects/communications/batch/create', (b) => ((logged = b), true)).once()
    .reply(201, (_uri, body: any) => ({ status: 'COMPLETE', results: body.inputs.map((i: any) => ({ id: '9100', objectWriteTraceId: i.objectWriteTraceId, properties: {}, createdAt: '2026-11-27T15:00:01Z', updatedAt: '2026-11-27T15:00:01Z', archived: false })), requestedAt: '2026-11-27T15:00:00Z', startedAt: '2026-11-27T15:00:00Z', completedAt: '2026-11-27T15:00:01Z' }), { 'Content-Type': 'application/json' });
  await runRulesForEvent(h.engine, orgId, event.id);
  assert.ok(scope.isDone());
  assert.equal(logged.inputs.length, 1);
  assert.match(logged.inputs[0].properties.hs_communication_body, /Is the gym open\?/);
  const ex = (await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`)).body.data as any[];
  assert.equal(ex.length, 1);
  assert.deepEqual(ex[0].actions.map((a: any) => [a.type, a.status]), [['link_contact', 'done'], ['log_to_crm', 'done']]);

  // Replayed twice: nothing is mocked any more, so any HubSpot call would fail the execution.
  await runRulesForEvent(h.engine, orgId, event.id);
  await runRulesForEvent(h.engine, orgId, event.id);
  const links = await h.engine.tenant(orgId, (tx) => tx.trx('external_links').where({ system: 'hubspot' }));
  assert.equal(links.length, 1);
  const entries = await h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_messages'));
  assert.equal(entries.length, 1);
});
