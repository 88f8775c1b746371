import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, stored, twilioConnection } from '../../test/connections.ts';
import { runRetention } from '../compliance/retention-job.ts';
import { openArchived, type ArchiveRow } from './archive.ts';

/**
 * The raw inbound archive keeps a provider's request for replay. Under safe mode "before storage"
 * the card and SSN a customer texted must not outlive in it what the message itself lost: once
 * processed, the archived copy is redacted (a replay still maps it). And the archive has its own
 * retention window, on by default, so verbatim payloads do not live forever.
 */
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());

const CARD = '4111 1111 1111 1111';
const SSN = '212-34-5678';
const DAY = 86_400_000;

const sms = (sid: string, body: string, from = CUSTOMER) => ({ MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: OUR_NUMBER, Body: body, NumMedia: '0' });

async function archived(orgId: string) {
  return h.engine.tenant(orgId, async (tx) => {
    const rows: ArchiveRow[] = await tx.trx('raw_inbound').orderBy('received_at');
    return rows.map((row) => ({ row, request: openArchived(tx, row) }));
  });
}

async function orgWith(safeMode: unknown) {
  const org = await h.newOrg();
  const res = await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { safeMode } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { ...org, connection: await twilioConnection(h, org.apiKey) };
}

test('safe mode before storage: the processed request is archived redacted; a replay still maps it, as a duplicate', async () => {
  const { orgId, apiKey, connection } = await orgWith({ enabled: true });
  const res = await postTwilio(connection.inboundUrl, sms('SM00000000000000000000000000card01', `My card is ${CARD} and SSN ${SSN}`));
  assert.equal(res.status, 200, res.text);
  const [a] = await archived(orgId);
  assert.equal(a!.row.status, 'processed');
  const params = new URLSearchParams(a!.request.body.toString());
  assert.equal(params.get('Body'), 'My card is [redacted card ••••1111] and SSN [redacted ssn]');
  assert.equal(params.get('MessageSid'), 'SM00000000000000000000000000card01', 'what replay needs stays');
  assert.ok(!a!.request.body.toString().includes('4111') && !a!.request.body.toString().includes('5678'));

  const replay = await h.call(apiKey, 'POST', `/v1/connections/${connection.id}/replay`, { rawInboundId: a!.row.id });
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assert.equal(replay.body.data[0].status, 'processed');
  assert.equal((await stored(h, orgId)).messages, 1, 'the replay found its message already stored');
});

test('safe mode before egress, or a request that failed: the archive keeps the request as received', async () => {
  const egress = await orgWith({ enabled: true, apply: 'before_egress' });
  assert.equal((await postTwilio(egress.connection.inboundUrl, sms('SM00000000000000000000000000card02', `Card ${CARD}`))).status, 200);
  assert.equal(new URLSearchParams((await archived(egress.orgId))[0]!.request.body.toString()).get('Body'), `Card ${CARD}`);

  const storage = await orgWith({ enabled: true });
  // No MessageSid: no rule matches, the request fails to map and is kept whole for a replay after a fix.
  const failed = await postTwilio(storage.connection.inboundUrl, { AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: `Card ${CARD}` });
  assert.equal(failed.status, 400, failed.text);
  const [f] = await archived(storage.orgId);
  assert.equal(f!.row.status, 'failed');
  assert.equal(new URLSearchParams(f!.request.body.toString()).get('Body'), `Card ${CARD}`);
});

test('the archive has its own retention (30 days by default, any status; legal holds and held requests stay)', async () => {
  const { orgId, apiKey, connection } = await orgWith({ enabled: false });
  assert.deepEqual((await h.call(apiKey, 'GET', '/v1/org')).body.settings.retention, { default: { days: null }, rawInbound: { days: 30 } });
  for (const [n, body, from] of [[1, 'old', CUSTOMER], [2, 'recent', CUSTOMER], [3, 'held case', '+14155550177']] as const) {
    assert.equal((await postTwilio(connection.inboundUrl, sms(`SM0000000000000000000000000000000${n}`, body, from))).status, 200);
  }
  assert.equal((await postTwilio(connection.inboundUrl, { AccountSid: ACCOUNT_SID, From: CUSTOMER, Body: 'unmappable' })).status, 400);
  const rows = (await archived(orgId)).map((a) => a.row);
  const [old, recent, heldCase, failed] = rows;
  await h.engine.tenant(orgId, async (tx) => {
    for (const [row, days] of [[old, 45], [recent, 10], [heldCase, 45], [failed, 45]] as const) {
      await tx.trx('raw_inbound').where({ id: row!.id }).update({ received_at: new Date(Date.now() - days * DAY) }).returning('id');
    }
  });
  // The held case: another customer's conversation, under a legal hold.
  const heldMessage = heldCase!.message_ids[0]!;
  const conversationId = (await h.call(apiKey, 'GET', `/v1/messages/${heldMessage}`)).body.conversationId;
  assert.equal((await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'conversation', targetId: conversationId, reason: 'Case 7' })).status, 201);

  await runRetention(h.engine);
  const left = (await archived(orgId)).map((a) => a.row.id);
  assert.deepEqual(new Set(left), new Set([recent!.id, heldCase!.id]));
  assert.equal((await stored(h, orgId)).messages, 3, 'message content follows its own (unset) window');

  const keep = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { retention: { default: { days: null }, rawInbound: { days: null } } } });
  assert.equal(keep.status, 200, JSON.stringify(keep.body));
  await h.engine.tenant(orgId, (tx) => tx.trx('raw_inbound').where({ id: recent!.id }).update({ received_at: new Date(Date.now() - 400 * DAY) }).returning('id'));
  await runRetention(h.engine);
  assert.ok((await archived(orgId)).some((a) => a.row.id === recent!.id), 'null keeps the archive until its messages are purged');
});
