import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, stored, twilioConnection } from '../../test/connections.ts';
import { openArchived, type ArchiveRow } from './archive.ts';
import { noteOrgSettings, orgSettings } from '../org-settings.ts';

/**
 * A webhook is archived, mapped and applied in one tenant transaction, the effects in a savepoint:
 * whatever fails after the archive leaves the archived request committed (marked failed) and
 * nothing of its effects. Org settings are read once per transaction and never kept across them.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const sms = (sid: string, body: string, from = CUSTOMER) => ({ MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: OUR_NUMBER, Body: body, NumMedia: '0' });
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

async function archived(orgId: string) {
  return h.engine.tenant(orgId, async (tx) => {
    const rows: ArchiveRow[] = await tx.trx('raw_inbound').orderBy('received_at');
    return rows.map((row) => ({ row, request: openArchived(tx, row) }));
  });
}

test('a request whose effects fail is answered 400 and archived as failed; none of its effects are stored', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const before = await stored(h, orgId);
  const res = await postTwilio(c.inboundUrl, sms(sid(1), 'Hello', 'not a phone number'));
  assert.equal(res.status, 400, res.text);
  const [a, ...rest] = await archived(orgId);
  assert.equal(rest.length, 0);
  assert.equal(a!.row.status, 'failed');
  assert.ok(a!.row.error, 'the failure is kept beside the archived request');
  assert.equal(new URLSearchParams(a!.request.body.toString()).get('From'), 'not a phone number', 'the request is kept as received, for a replay');
  const s = await stored(h, orgId);
  assert.deepEqual([s.messages, s.conversations, s.contacts, s.events], [0, 0, 0, before.events], 'no message, conversation, contact or event');

  // The connection goes on: the next request is processed.
  assert.equal((await postTwilio(c.inboundUrl, sms(sid(2), 'Hello again'))).status, 200);
  assert.equal((await stored(h, orgId)).messages, 1);
});

test('concurrent requests, with provider retries among them, are each answered and stored once', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const senders = ['+14155550140', '+14155550141', '+14155550142'];
  const requests = Array.from({ length: 12 }, (_, i) => sms(sid(100 + (i % 8)), `Message ${i % 8}`, senders[i % 8 % 3]));
  const answers = await Promise.all(requests.map((r) => postTwilio(c.inboundUrl, r)));
  assert.deepEqual(answers.map((a) => a.status), requests.map(() => 200));
  const s = await stored(h, orgId);
  assert.equal(s.messages, 8, 'a retry of the same MessageSid is one message');
  assert.equal(s.contacts, 3);
  assert.equal(s.rawInbound, 12, 'every request is archived');
});

test('a settings change is seen by the next webhook', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const card = '4111 1111 1111 1111';
  assert.equal((await postTwilio(c.inboundUrl, sms(sid(200), `Card ${card}`))).status, 200);
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true } } })).status, 200);
  assert.equal((await postTwilio(c.inboundUrl, sms(sid(201), `Card ${card}`))).status, 200);
  const bodies = (await archived(orgId)).map((a) => new URLSearchParams(a.request.body.toString()).get('Body'));
  assert.deepEqual(bodies, [`Card ${card}`, 'Card [redacted card ••••1111]']);
});

test('org settings: read once per transaction, the transaction sees its own change, the next one reads again', async () => {
  const { orgId } = await h.newOrg();
  const reads: string[] = [];
  const onQuery = (q: { sql: string }) => /from "orgs"/.test(q.sql) && /"settings"/.test(q.sql) && reads.push(q.sql);
  h.engine.db.knex.on('query', onQuery);
  try {
    await h.engine.tenant(orgId, async (tx) => {
      assert.equal((await orgSettings(tx.trx, orgId)).reopenWindowHours, 168);
      const copy = await orgSettings(tx.trx, orgId);
      copy.reopenWindowHours = 1; // a caller's copy: changing it changes nothing else
      assert.equal((await orgSettings(tx.trx, orgId)).reopenWindowHours, 168);
      const [row] = await tx.trx('orgs').where({ id: orgId }).update({ settings: { reopenWindowHours: 12 } }).returning('settings');
      noteOrgSettings(tx.trx, orgId, row.settings);
      assert.equal((await orgSettings(tx.trx, orgId)).reopenWindowHours, 12);
    });
    assert.equal(reads.length, 1, 'one read in that transaction');
    await h.engine.tenant(orgId, async (tx) => assert.equal((await orgSettings(tx.trx, orgId)).reopenWindowHours, 12));
    assert.equal(reads.length, 2, 'the next transaction reads the row again');
  } finally {
    h.engine.db.knex.off('query', onQuery);
  }
});
