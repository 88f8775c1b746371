import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import type { Harness } from '../test/harness.ts';
import { usePipeline } from '../test/pipeline.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, twilioConnection } from '../test/connections.ts';
import { reply } from '../test/nock-reply.ts';
import { waitFor } from '../test/wait.ts';

/**
 * Done means (1), through the whole pipeline: a signed Twilio SMS from a number we have never
 * seen → message.received → the rules worker runs link_contact + log_to_crm → HubSpot (the real
 * @hubspot/api-client, HTTP intercepted by nock) finds the contact by phone, the contact is
 * linked, the conversation is logged; the next message logs only itself. Two messages arriving
 * together are each logged once (their rule runs overlap on one conversation).
 */
const pipeline = usePipeline({ rules: true });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const API = 'https://api.hubapi.com';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../connectors/hubspot/fixtures/${name}.json`, import.meta.url), 'utf8'));
const sms = (sid: string, body: string) => ({ MessageSid: sid, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: body, NumMedia: '0' });

/** HubSpot's batch create of communications: one result per input, ids counting up from `next`. */
function hubspot() {
  const searches: any[] = [];
  const batches: { inputs: any[] }[] = [];
  let next = 9001;
  nock(API)
    .persist()
    .post('/crm/v3/objects/contacts/search', (b) => (searches.push(b), true))
    .reply(() => reply(200, fixture('contacts-search')))
    .post('/crm/v3/objects/communications/batch/create', (b) => (batches.push(b as { inputs: any[] }), true))
    .reply((_uri, body: any) =>
      reply(201, {
        status: 'COMPLETE',
        results: body.inputs.map((input: { objectWriteTraceId: string }) => ({ id: String(next++), objectWriteTraceId: input.objectWriteTraceId, properties: {}, createdAt: '2026-11-27T15:00:01Z', updatedAt: '2026-11-27T15:00:01Z', archived: false })),
        requestedAt: '2026-11-27T15:00:00Z',
        startedAt: '2026-11-27T15:00:00Z',
        completedAt: '2026-11-27T15:00:01Z',
      }),
    );
  const bodies = () => batches.flatMap((b) => b.inputs.map((i) => i.properties.hs_communication_body as string));
  return { searches, batches, bodies };
}

async function setup() {
  const { apiKey, orgId } = await h.newOrg();
  const twilio = await twilioConnection(h, apiKey);
  const hs = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot', config: { portalId: '62515' }, secrets: { accessToken: 'pat-na1-e2e-rules' } });
  assert.equal(hs.status, 201, JSON.stringify(hs.body));
  const rule = await h.call(apiKey, 'POST', '/v1/rules', {
    name: 'Log texts to HubSpot',
    trigger: 'message.received',
    actions: [{ type: 'link_contact', connector: 'hubspot' }, { type: 'log_to_crm', connector: 'hubspot' }],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const logged = () => h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_messages').where({ connection_id: hs.body.id }));
  return { apiKey, orgId, twilio, logged };
}

test('inbound SMS from an unknown number → HubSpot contact found by phone → linked → logged; the next message logs only itself', async () => {
  const api = hubspot();
  const { orgId, twilio, logged } = await setup();

  assert.equal((await postTwilio(twilio.inboundUrl, sms('SM' + 'd'.repeat(32), 'Hi, the sink in 4B is leaking'))).status, 200);
  await waitFor('the first message logged', async () => ((await logged()).length === 1 ? true : null), 15_000, 100);
  assert.equal(api.searches.length, 1);
  assert.deepEqual(api.searches[0].filterGroups[0].filters[0], { propertyName: 'phone', operator: 'EQ', value: CUSTOMER });
  const links = await h.engine.tenant(orgId, (tx) => tx.trx('external_links').where({ system: 'hubspot' }));
  assert.deepEqual(links.map((l: { external_id: string }) => l.external_id), ['51']);
  assert.deepEqual(api.bodies(), [`From ${CUSTOMER} (sms): Hi, the sink in 4B is leaking`]);

  assert.equal((await postTwilio(twilio.inboundUrl, sms('SM' + 'e'.repeat(32), 'Also the hallway light'))).status, 200);
  await waitFor('the second message logged', async () => ((await logged()).length === 2 ? true : null), 15_000, 100);
  // Linked once (no second search), and the second batch carried the second message alone.
  assert.equal(api.searches.length, 1);
  assert.equal(api.batches.length, 2);
  assert.deepEqual(api.batches[1]!.inputs.map((i) => i.properties.hs_communication_body), [`From ${CUSTOMER} (sms): Also the hallway light`]);
  assert.deepEqual((await logged()).map((l: { external_id: string }) => l.external_id).sort(), ['9001', '9002']);
});

test('two messages at once: their rule runs overlap on one conversation, and each message is logged exactly once', async () => {
  const api = hubspot();
  const { twilio, logged } = await setup();
  const results = await Promise.all([
    postTwilio(twilio.inboundUrl, sms('SM' + 'f'.repeat(32), 'First of two')),
    postTwilio(twilio.inboundUrl, sms('SM' + '9'.repeat(32), 'Second of two')),
  ]);
  assert.deepEqual(results.map((r) => r.status), [200, 200]);
  await waitFor('both messages logged', async () => ((await logged()).length === 2 ? true : null), 30_000, 100);
  // Let any retried run finish: it must find nothing left to log.
  await new Promise((r) => setTimeout(r, 2_500));
  const bodies = api.bodies();
  assert.deepEqual([...bodies].sort(), [`From ${CUSTOMER} (sms): First of two`, `From ${CUSTOMER} (sms): Second of two`]);
  assert.equal((await logged()).length, 2);
});
