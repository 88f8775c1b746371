import { describe, it, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { ConnectorError } from '../kit/index.ts';
import { runFixture } from '../kit/harness.ts';
import pipedrive from './index.ts';
import { reply } from '../../test/nock-reply.ts';

const API = 'https://api.pipedrive.com';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const ctx = { config: {}, secrets: { apiToken: 'pd-token-1' } };
const oauthCtx = {
  config: { apiDomain: 'https://mapleproperties.pipedrive.com' },
  secrets: { clientId: 'c', clientSecret: 's' },
  auth: { accessToken: async () => 'pd-oauth-access', invalidate: async () => undefined },
};

describe('Pipedrive connector', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('finds a person by phone (exact search) with the API token', async () => {
    const scope = nock(API)
      .get('/api/v2/persons/search')
      .query({ term: '+14155550123', fields: 'phone', exact_match: 'true', limit: '1' })
      .matchHeader('x-api-token', 'pd-token-1')
      .reply(...reply(200, fixture('persons-search.json')));
    const found = await pipedrive.crm!.findContact({ phone: '+14155550123' }, ctx);
    assert.ok(scope.isDone());
    assert.deepEqual(found, { externalId: '301', name: 'Jane Tenant', phone: '+14155550123', email: 'jane.tenant@example.com', data: { ownerId: 12, organizationId: 7 } });
  });

  it('falls back to email, then creates a person (OAuth bearer, company domain)', async () => {
    const origin = 'https://mapleproperties.pipedrive.com';
    nock(origin).get('/api/v2/persons/search').query(true).matchHeader('authorization', 'Bearer pd-oauth-access').times(2).reply(...reply(200, fixture('persons-search-empty.json')));
    assert.equal(await pipedrive.crm!.findContact({ phone: '+14155550177', email: 'sam@example.com' }, oauthCtx), null);
    let sent: any;
    nock(origin).post('/api/v2/persons', (b) => ((sent = b), true)).reply(...reply(200, fixture('person-add.json')));
    const created = await pipedrive.crm!.createContact!({ name: 'Sam Park', phone: '+14155550177' }, oauthCtx);
    assert.deepEqual(sent, { name: 'Sam Park', phones: [{ value: '+14155550177', primary: true, label: 'mobile' }] });
    assert.equal(created.externalId, '302');
    assert.equal(created.url, 'https://mapleproperties.pipedrive.com/person/302');
  });

  it('logs each message as a note on the person, and on the deal when linked', async () => {
    const notes: any[] = [];
    nock(API)
      .post('/v1/notes', (b) => (notes.push(b), true))
      .times(2)
      .reply(200, (_uri, b: any) => ({ ...fixture('note-add.json'), data: { ...fixture('note-add.json').data, id: 4400 + notes.length, deal_id: b.deal_id ?? null } }), { 'Content-Type': 'application/json' });
    const out = await pipedrive.crm!.logMessages!({
      record: { externalId: '301', data: { dealId: 55 } },
      entries: [
        { messageId: 'm-1', conversationId: 'c', direction: 'inbound', channel: 'sms', body: 'Water <leak> in 4B', at: '2026-11-27T15:00:00.000Z', theirs: '+14155550123' },
        { messageId: 'm-2', conversationId: 'c', direction: 'outbound', channel: 'sms', body: 'Plumber at 3', at: '2026-11-27T15:01:00.000Z', theirs: '+14155550123' },
      ],
    }, ctx);
    assert.deepEqual(out.logged, [{ messageId: 'm-1', externalId: '4401' }, { messageId: 'm-2', externalId: '4402' }]);
    assert.equal(notes[0].person_id, 301);
    assert.equal(notes[0].deal_id, 55);
    assert.equal(notes[0].content, '<b>SMS</b> · Received from +14155550123 · 2026-11-27T15:00:00.000Z<br>Water &lt;leak&gt; in 4B');
    assert.match(notes[1].content, /Sent to \+14155550123/);
  });

  it('logs a conversation summary as one note on the person (and the deal), HTML-escaped', async () => {
    let sent: any;
    nock(API).post('/v1/notes', (b) => ((sent = b), true)).reply(...reply(200, { ...fixture('note-add.json'), data: { ...fixture('note-add.json').data, id: 4450 } }));
    const out = await pipedrive.crm!.logNote!({ record: { externalId: '301', data: { dealId: 55 } }, note: { conversationId: 'c', key: 'm-9', text: 'Customer: water <leak> in 4B.\nAgent: plumber at 3.', at: '2026-12-06T01:50:00.000Z' } }, ctx);
    assert.deepEqual(out, { externalId: '4450' });
    assert.deepEqual(sent, { content: '<b>Conversation summary</b><br>Customer: water &lt;leak&gt; in 4B.<br>Agent: plumber at 3.', person_id: 301, deal_id: 55 });
  });

  it('maps errors: 401 auth_failed, 429 rate_limited', async () => {
    nock(API).post('/v1/notes').reply(...reply(401, { success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' }));
    await assert.rejects(
      pipedrive.crm!.logMessages!({ record: { externalId: '301' }, entries: [{ messageId: 'm', conversationId: 'c', direction: 'inbound', channel: 'sms', body: 'x', at: '2026-11-27T15:00:00Z' }] }, ctx),
      (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed' && err.httpStatus === 401,
    );
    nock(API).get('/api/v2/persons/search').query(true).reply(...reply(429, { success: false, error: 'Request over limit', errorCode: 429 }));
    await assert.rejects(pipedrive.crm!.findContact({ phone: '+1415' }, ctx), (err: unknown) => ConnectorError.is(err) && err.code === 'rate_limited' && err.retryable);
  });

  it('429 waits as long as Pipedrive says: Retry-After, else x-ratelimit-reset, else the 2-second window', async () => {
    // Pipedrive's documented 429: the body says only "Request over limit"; the wait is in the headers.
    const overLimit = { success: false, error: 'Request over limit', errorCode: 429 };
    const search = () => nock(API).get('/api/v2/persons/search').query(true);
    const rejection = async (p: Promise<unknown>) => {
      const err = await p.then(() => assert.fail('the call should have been refused'), (e: unknown) => e);
      assert.ok(ConnectorError.is(err), String(err));
      return { code: err.code, httpStatus: err.httpStatus, retryAfterMs: err.retryAfterMs, retryable: err.retryable };
    };
    const find = () => rejection(pipedrive.crm!.findContact({ phone: '+14155550123' }, ctx));
    const limited = (retryAfterMs: number) => ({ code: 'rate_limited', httpStatus: 429, retryAfterMs, retryable: true });

    search().reply(...reply(429, overLimit, { 'retry-after': '7', 'x-ratelimit-limit': '40', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' }));
    assert.deepEqual(await find(), limited(7_000));
    search().reply(...reply(429, overLimit, { 'x-ratelimit-limit': '40', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }));
    assert.deepEqual(await find(), limited(1_000));
    search().reply(...reply(429, overLimit));
    assert.deepEqual(await find(), limited(2_000));
    // API v1 (notes) too; a spent daily token budget can mean hours.
    nock(API).post('/v1/notes').reply(...reply(429, overLimit, { 'retry-after': '5400' }));
    const entry = { messageId: 'm', conversationId: 'c', direction: 'inbound' as const, channel: 'sms', body: 'x', at: '2026-11-27T15:00:00Z' };
    assert.deepEqual(await rejection(pipedrive.crm!.logMessages!({ record: { externalId: '301' }, entries: [entry] }, ctx)), limited(5_400_000));
    // Other statuses keep their own meaning, now read from the answer itself.
    search().reply(...reply(503, '<html>Service Unavailable</html>', { 'content-type': 'text/html', 'retry-after': '30' }));
    assert.deepEqual(await find(), { code: 'vendor_unavailable', httpStatus: 503, retryAfterMs: 30_000, retryable: true });
  });

  describe('webhooks v2 (HTTP basic auth)', () => {
    const secrets = { apiToken: 't', webhookUsername: 'switchboard', webhookPassword: 'correct-horse-battery' };
    const hook = { name: 'person change', request: { method: 'POST', body: fixture('webhook-v2-person-change.json') } };

    it('accepts the right credentials and maps the event', async () => {
      const r = await runFixture(pipedrive, hook, { config: {}, secrets });
      assert.deepEqual(r.verification, { ok: true });
      assert.equal(r.events.length, 1);
      const e = r.events[0] as any;
      assert.equal(e.kind, 'external_event');
      assert.equal(e.type, 'person.change');
      assert.equal(e.externalId, 'b3a1e2f4-5c6d-4e7f-8a9b-0c1d2e3f4a5b');
      assert.equal(e.data.entityId, '301');
      assert.deepEqual(e.data.current.label_ids, [5]);
    });

    it('refuses a wrong password, a missing header and a malformed one', async () => {
      const wrong = 'Basic ' + Buffer.from('switchboard:wrong-password!').toString('base64');
      assert.deepEqual((await runFixture(pipedrive, hook, { config: {}, secrets, mutate: (q) => ({ ...q, headers: { ...q.headers, authorization: wrong } }) })).verification, { ok: false, reason: 'bad_signature' });
      assert.deepEqual((await runFixture(pipedrive, hook, { config: {}, secrets, mutate: (q) => ({ ...q, headers: { 'content-type': 'application/json' } }) })).verification, { ok: false, reason: 'missing_signature' });
      assert.deepEqual((await runFixture(pipedrive, hook, { config: {}, secrets, mutate: (q) => ({ ...q, headers: { ...q.headers, authorization: 'Bearer x' } }) })).verification, { ok: false, reason: 'malformed' });
    });
  });
});
