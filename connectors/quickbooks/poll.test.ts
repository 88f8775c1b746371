import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { loadFixture, runFixture } from '../kit/harness.ts';
import { ConnectorError, mapInbound, type ExternalEvent } from '../kit/index.ts';
import { reply } from '../../test/nock-reply.ts';
import quickbooks from './index.ts';
import type { QuickBooksApiCtx } from './api.ts';
import { LOOKBACK_MS, pollChanges } from './poll.ts';

const API = 'https://quickbooks.api.intuit.com';
const REALM = '9341453050773651';
const OTHER_REALM = '4620816365263389130';
const secrets = { clientId: 'ABtestClientId', clientSecret: 'testClientSecret', webhookVerifierToken: 'b3f1c2a4-7d9e-4e21-9c55-2f0a8d6e4b17' };
const NOW = Date.parse('2026-11-27T17:40:00Z');
const cdcFixture = () => JSON.parse(readFileSync(new URL('./fixtures/cdc/customers-invoices-payments.json', import.meta.url), 'utf8'));

const ctx = (config: QuickBooksApiCtx['config'], now = NOW): QuickBooksApiCtx => ({
  config,
  secrets,
  now: () => now,
  auth: { accessToken: async () => 'qb-access-1', invalidate: async () => {} },
});

/** An answer of Intuit's CDC: one QueryResponse group per entity that has objects. */
const answer = (groups: Record<string, unknown[]>, time: string) => ({
  CDCResponse: [{ QueryResponse: Object.entries(groups).map(([entity, list]) => ({ [entity]: list, startPosition: 1, maxResults: list.length })) }],
  time,
});
const customer = (id: number, lastUpdated: string) => ({
  domain: 'QBO',
  Id: String(id),
  SyncToken: '1',
  MetaData: { CreateTime: '2026-10-01T08:00:00-07:00', LastUpdatedTime: lastUpdated },
  DisplayName: `Customer ${id}`,
  Active: true,
});

/** Every CDC request (entities, changedSince) answered in turn by `answers`. */
function cdc(answers: unknown[]) {
  const seen: { entities: string; changedSince: string }[] = [];
  // Through node-quickbooks: its User-Agent, the engine's token as a bearer, and ?format=json.
  nock(API, { reqheaders: { authorization: 'Bearer qb-access-1', 'user-agent': /^node-quickbooks: version / } })
    .get(`/v3/company/${REALM}/cdc`)
    .query(true)
    .times(answers.length)
    .reply((uri) => {
      const q = new URL(uri, API).searchParams;
      assert.equal(q.get('minorversion'), '75');
      assert.equal(q.get('format'), 'json');
      seen.push({ entities: q.get('entities')!, changedSince: q.get('changedSince')! });
      return reply(200, answers[seen.length - 1]);
    });
  return seen;
}

const cursorOf = (raw: string | null) => JSON.parse(raw!) as { realmId: string; since: Record<string, string> };

describe('quickbooks CDC polling', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('a CDC page → the events the webhook gives for the same changes (one externalId per change) and customers as people', async () => {
    const seen = cdc([cdcFixture()]);
    const page = await pollChanges(null, ctx({ realmId: REALM, startFrom: '2026-11-27T16:00:00Z' }));
    assert.deepEqual(seen, [{ entities: 'Customer,Invoice,Payment', changedSince: '2026-11-27T16:00:00Z' }]);
    assert.deepEqual(page.events.map((e) => [e.type, e.externalId]), [
      ['customer.created', `${REALM}:Customer:61:Create:2026-11-27T17:05:12Z`],
      ['invoice.created', `${REALM}:Invoice:1042:Create:2026-11-27T17:14:03Z`],
      ['customer.updated', `${REALM}:Customer:58:Update:2026-11-27T17:14:05Z`],
      ['invoice.updated', `${REALM}:Invoice:1035:Update:2026-11-27T17:20:41Z`],
      ['payment.created', `${REALM}:Payment:2207:Create:2026-11-27T17:20:41Z`],
      // Voided: CDC has the voided invoice's latest state only, so an update.
      ['invoice.updated', `${REALM}:Invoice:1017:Update:2026-11-27T17:22:10Z`],
      ['customer.updated', `${REALM}:Customer:77:Update:2026-11-27T17:26:48Z`],
      ['invoice.deleted', `${REALM}:Invoice:1003:Delete:2026-11-27T17:31:40Z`],
    ]);
    assert.deepEqual(page.events[7]!.data, { realmId: REALM, entity: 'Invoice', id: '1003', operation: 'Delete', lastUpdated: '2026-11-27T09:31:40-08:00' });

    // The webhook's notification of the same changes (lastUpdated written "…09:14:03.000-08:00" there, "…09:14:03-08:00" here).
    const webhook = (await runFixture(quickbooks, loadFixture(new URL('./fixtures/batch-two-companies.json', import.meta.url).pathname), { config: { realmId: REALM }, secrets })).events as ExternalEvent[];
    const shape = (e: ExternalEvent) => ({ type: e.type, externalId: e.externalId, occurredAt: e.occurredAt, fields: Object.keys(e.data).sort() });
    for (const id of ['1042', '58', '2207']) {
      assert.deepEqual(shape(page.events.find((e) => e.data.id === id)!), shape(webhook.find((e) => e.data.id === id)!), `change ${id}`);
    }
    assert.equal(webhook.find((e) => e.data.id === '1017')!.type, 'invoice.voided', 'the webhook alone knows a void');

    assert.deepEqual(page.people, [
      { kind: 'contact_update', handle: { kind: 'email', value: 'lee.okafor@example.com' }, name: 'Lee Okafor', externalId: '61', attributes: { customerId: '61', displayName: 'Lee Okafor', balance: 0, currency: 'USD', active: true } },
      ...[{ kind: 'phone', value: '+14155550134' }, { kind: 'email', value: 'Dana.Whitfield@example.com' }].map((handle) => ({
        kind: 'contact_update',
        handle,
        name: 'Dana Whitfield',
        externalId: '58',
        attributes: { customerId: '58', displayName: 'Whitfield Rentals LLC', companyName: 'Whitfield Rentals LLC', balance: 1450, currency: 'USD', active: true },
      })),
    ]);
    // Intuit answered at 17:35:00.412Z: the next window starts two minutes before.
    assert.deepEqual(cursorOf(page.cursor), { realmId: REALM, since: { Customer: '2026-11-27T17:33:00Z', Invoice: '2026-11-27T17:33:00Z', Payment: '2026-11-27T17:33:00Z' } });
    assert.equal(page.hasMore, false);
  });

  it('one change written with -0800, -08:00, milliseconds or Z maps to one externalId', async () => {
    const stamps = ['2026-11-27T09:14:03-0800', '2026-11-27T09:14:03-08:00', '2026-11-27T09:14:03.000-08:00', '2026-11-27T17:14:03Z'];
    const body = { eventNotifications: stamps.map((lastUpdated) => ({ realmId: REALM, dataChangeEvent: { entities: [{ name: 'Invoice', id: '1042', operation: 'Create', lastUpdated }] } })) };
    const events = (await mapInbound(quickbooks.manifest, { method: 'POST', headers: {}, query: {}, contentType: 'application/json', body }, { config: { realmId: REALM } })) as ExternalEvent[];
    assert.deepEqual(new Set(events.map((e) => e.externalId)), new Set([`${REALM}:Invoice:1042:Create:2026-11-27T17:14:03Z`]));
    assert.deepEqual(new Set(events.map((e) => e.occurredAt)), new Set(['2026-11-27T17:14:03.000Z']));
  });

  it('the first window starts 24 h back (or at startFrom); a cursor older than 30 days is clamped; another company\'s cursor starts over', async () => {
    const empty = answer({}, '2026-11-27T09:40:00.000-08:00');
    const seen = cdc([empty, empty, empty]);
    const first = await pollChanges(null, ctx({ realmId: REALM }));
    const old = JSON.stringify({ realmId: REALM, since: { Customer: '2026-10-01T00:00:00Z', Invoice: '2026-10-01T00:00:00Z', Payment: '2026-10-01T00:00:00Z' } });
    await pollChanges(old, ctx({ realmId: REALM }));
    await pollChanges(JSON.stringify({ ...JSON.parse(first.cursor!), realmId: OTHER_REALM }), ctx({ realmId: REALM }));
    const clamped = new Date(Math.floor((NOW - LOOKBACK_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    assert.equal(clamped, '2026-10-28T18:40:00Z');
    assert.deepEqual(seen.map((s) => s.changedSince), ['2026-11-26T17:40:00Z', clamped, '2026-11-26T17:40:00Z']);
    assert.deepEqual(first.events, []);
    assert.deepEqual(first.people, []);
    assert.equal(cursorOf(first.cursor).since.Invoice, '2026-11-27T17:38:00Z');
  });

  it('a full answer (1000 objects) is cut: the entity resumes at its newest change, the others are read on their own and join, then the poll catches up', async () => {
    const start = Date.parse('2026-11-20T00:00:00Z');
    const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString().replace('.000Z', 'Z');
    const full = answer({ Customer: Array.from({ length: 1000 }, (_, i) => customer(100 + i, at(i))) }, '2026-11-27T09:40:00.000-08:00');
    const invoices = answer({ Invoice: [{ domain: 'QBO', Id: '2001', SyncToken: '0', MetaData: { CreateTime: at(30), LastUpdatedTime: at(30) }, TotalAmt: 75, Balance: 75 }] }, '2026-11-27T09:40:01.000-08:00');
    const rest = answer({ Customer: [customer(1099, at(999)), customer(1100, at(1200))] }, '2026-11-27T09:40:02.000-08:00');
    const seen = cdc([full, invoices, rest]);
    const pages = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await pollChanges(cursor, ctx({ realmId: REALM, startFrom: '2026-11-20T00:00:00Z' }));
      pages.push(page);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    assert.deepEqual(seen, [
      { entities: 'Customer,Invoice,Payment', changedSince: '2026-11-20T00:00:00Z' },
      // Invoices and payments were not in the cut answer: read from where they were.
      { entities: 'Invoice,Payment', changedSince: '2026-11-20T00:00:00Z' },
      // Joined at the customers' position (16:39, the newest customer returned), still far behind: read at once.
      { entities: 'Customer,Invoice,Payment', changedSince: '2026-11-20T16:39:00Z' },
    ]);
    assert.deepEqual(pages.map((p) => [p.events.length, p.hasMore]), [[1000, true], [1, true], [2, false]]);
    assert.deepEqual(cursorOf(pages[0]!.cursor).since, { Customer: '2026-11-20T16:39:00Z', Invoice: '2026-11-20T00:00:00Z', Payment: '2026-11-20T00:00:00Z' });
    assert.deepEqual(cursorOf(cursor).since, { Customer: '2026-11-27T17:38:02Z', Invoice: '2026-11-27T17:38:02Z', Payment: '2026-11-27T17:38:02Z' });
  });

  it('a second holding 1000 changes of one entity cannot stall the poll: the entity moves on by a second', async () => {
    const since = '2026-11-27T12:00:00Z';
    const seen = cdc([answer({ Invoice: Array.from({ length: 1000 }, (_, i) => ({ domain: 'QBO', Id: String(5000 + i), MetaData: { CreateTime: since, LastUpdatedTime: since } })) }, '2026-11-27T09:40:00.000-08:00')]);
    const cursor = JSON.stringify({ realmId: REALM, since: { Customer: since, Invoice: since, Payment: since } });
    const page = await pollChanges(cursor, ctx({ realmId: REALM }));
    assert.equal(seen.length, 1);
    assert.deepEqual(cursorOf(page.cursor).since, { Customer: since, Invoice: '2026-11-27T12:00:01Z', Payment: since });
    assert.equal(page.hasMore, true);
  });

  it('401 → auth_failed (httpStatus 401: the engine refreshes and polls once more); 429 → rate_limited with Retry-After; a 200 fault → invalid_request; without a company → a clear auth_failed and no request', async () => {
    nock(API).get(`/v3/company/${REALM}/cdc`).query(true).reply(...reply(401, { fault: { error: [{ message: 'message=AuthenticationFailed', code: '3200' }], type: 'AUTHENTICATION' } }));
    await assert.rejects(pollChanges(null, ctx({ realmId: REALM })), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed' && err.httpStatus === 401);
    nock(API).get(`/v3/company/${REALM}/cdc`).query(true).reply(...reply(429, { fault: { type: 'ThrottleExceeded' } }, { 'retry-after': '60' }));
    await assert.rejects(pollChanges(null, ctx({ realmId: REALM })), (err: unknown) => ConnectorError.is(err) && err.code === 'rate_limited' && err.retryAfterMs === 60_000);
    // A fault (Intuit's documented error payload) in a 200 answer has a `time` too: an error, not an empty page that would move the cursor past the window.
    const fault = { Fault: { Error: [{ Message: 'A business validation error has occurred while processing your request', Detail: 'Business Validation Error', code: '6000', element: '' }], type: 'ValidationFault' }, time: '2026-11-27T09:40:00.000-08:00' };
    nock(API).get(`/v3/company/${REALM}/cdc`).query(true).reply(...reply(200, fault));
    await assert.rejects(pollChanges(null, ctx({ realmId: REALM })), (err: unknown) => ConnectorError.is(err) && err.code === 'invalid_request' && err.providerCode === '6000');
    // No interceptor: a request would fail as vendor_unavailable, not as the missing company.
    const noCompany = (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed' && !err.retryable && /connect the company/.test(err.message);
    await assert.rejects(pollChanges(null, ctx({})), noCompany);
    await assert.rejects(quickbooks.actions!.fetch_entity!.run({ entity: 'Invoice', id: '1042' }, ctx({})), noCompany);
    assert.deepEqual(await quickbooks.test!(ctx({})), { ok: false, message: 'This QuickBooks connection has no company yet: connect the company (GET /v1/connections/{id}/oauth/authorize); Intuit names it on the redirect.' });
  });
});
