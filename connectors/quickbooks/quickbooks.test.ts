import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it, beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { assertFixture, assertRejected, assertVerified, loadFixture, loadFixtures, runFixture, type Fixture } from '../kit/harness.ts';
import { ConnectorError, createRegistry, type ExternalEvent, type IntegrationContext } from '../kit/index.ts';
import { withAuthRetry } from '../../core/connections/oauth.ts';
import { reply } from '../../test/nock-reply.ts';
import quickbooks from './index.ts';
import type { QuickBooksApiCtx } from './fetch-entity.ts';

const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;
const REALM = '9341453050773651';
const OTHER_REALM = '4620816365263389130';
const VERIFIER = 'b3f1c2a4-7d9e-4e21-9c55-2f0a8d6e4b17';
const secrets = { clientId: 'ABtestClientId', clientSecret: 'testClientSecret', webhookVerifierToken: VERIFIER };
const opts = { config: { realmId: REALM }, secrets };

describe('quickbooks connector definition', () => {
  it('is a valid, registrable payments connector with Intuit authorization-code OAuth (realmId from the redirect), CDC polling and fetch_entity', () => {
    const registry = createRegistry();
    registry.register(quickbooks);
    assert.equal(registry.resolve('quickbooks', 1), quickbooks);
    assert.equal(quickbooks.kind, 'payments');
    assert.deepEqual([...quickbooks.capabilities], ['events.emit', 'actions.invoke', 'contacts.sync']);
    assert.deepEqual(quickbooks.oauth, {
      flow: 'authorization_code',
      authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
      tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      scopes: ['com.intuit.quickbooks.accounting'],
      clientAuth: 'basic',
      callbackConfig: { realmId: 'realmId' },
    });
    assert.equal(quickbooks.poll?.intervalSeconds, 300);
    assert.equal(typeof quickbooks.actions?.fetch_entity?.run, 'function');
    assert.deepEqual(quickbooks.validateConfig({ realmId: REALM, environment: 'sandbox', minorVersion: 75 }), []);
    assert.notDeepEqual(quickbooks.validateConfig({ realmId: REALM, environment: 'staging' }), []);
    // Installed without a company: Intuit names it on the OAuth redirect.
    assert.deepEqual(quickbooks.validateConfig({}), []);
    assert.notDeepEqual(quickbooks.validateConfig({ realmId: 'abc' }), []);
    assert.notDeepEqual(quickbooks.validateConfig({ startFrom: 'yesterday' }), []);
    assert.deepEqual(quickbooks.validateSecrets(secrets), []);
    assert.notDeepEqual(quickbooks.validateSecrets({ clientId: 'x' }), []);
  });
});

describe('quickbooks webhooks: fixtures in Intuit\'s format, signed, verified, mapped', () => {
  for (const fixture of loadFixtures(fixturesDir)) {
    it(fixture.name, async () => {
      await assertFixture(quickbooks, fixture, opts);
    });
  }

  it('accepts an intuit-signature computed independently (base64 HMAC-SHA256 of the raw body, verifier token as key)', async () => {
    const fixture = loadFixture(`${fixturesDir}/batch-two-companies.json`);
    const signature = createHmac('sha256', VERIFIER).update(fixture.request.body as string, 'utf8').digest('base64');
    const recorded: Fixture = { ...fixture, signature: 'recorded', request: { ...fixture.request, headers: { ...fixture.request.headers, 'intuit-signature': signature } } };
    const result = await runFixture(quickbooks, recorded, opts);
    assertVerified(result);
    assert.deepEqual(result.events, fixture.expect);
  });

  it('refuses a tampered body, another verifier token, a missing header, and answers missing_secret without a token', async () => {
    const fixture = loadFixture(`${fixturesDir}/batch-two-companies.json`);
    const tampered = await runFixture(quickbooks, fixture, { ...opts, mutate: (r) => ({ ...r, body: Buffer.from(r.body.toString().replace('"1042"', '"1043"')) }) });
    assertRejected(tampered, 'bad_signature');
    const other = await runFixture(quickbooks, fixture, {
      ...opts,
      mutate: (r) => ({ ...r, headers: { ...r.headers, 'intuit-signature': createHmac('sha256', 'another-token').update(r.body).digest('base64') } }),
    });
    assertRejected(other, 'bad_signature');
    const missing = await runFixture(quickbooks, fixture, { ...opts, mutate: (r) => ({ ...r, headers: { 'content-type': 'application/json' } }) });
    assertRejected(missing, 'missing_signature');
    const req = { method: 'POST', url: 'https://sb.test/v1/receive/x', headers: { 'intuit-signature': 'AAAA' }, body: Buffer.from('{}') };
    assert.deepEqual(await quickbooks.verify!(req, { config: { realmId: REALM }, secrets: { clientId: 'a', clientSecret: 'b' } }), { ok: false, reason: 'missing_secret' });
  });

  it('maps a multi-entity batch to exactly one event per mapped change, in order, keyed for replays', async () => {
    const result = await runFixture(quickbooks, loadFixture(`${fixturesDir}/batch-two-companies.json`), opts);
    const events = result.events as ExternalEvent[];
    assert.deepEqual(events.map((e) => [e.type, e.externalId]), [
      ['invoice.created', `${REALM}:Invoice:1042:Create:2026-11-27T17:14:03Z`],
      ['customer.updated', `${REALM}:Customer:58:Update:2026-11-27T17:14:05Z`],
      ['payment.created', `${REALM}:Payment:2207:Create:2026-11-27T17:20:41Z`],
      ['invoice.voided', `${REALM}:Invoice:1017:Void:2026-11-27T17:22:10Z`],
    ]);
    assert.ok(events.every((e) => e.data.realmId === REALM), 'nothing of the other company leaks in');
  });

  it('before the company is connected (no realmId) a notification is acknowledged without events', async () => {
    const result = await runFixture(quickbooks, loadFixture(`${fixturesDir}/batch-two-companies.json`), { config: {}, secrets });
    assertVerified(result);
    assert.deepEqual(result.events, []);
  });

  it('the same batch on the other company\'s connection yields only that company\'s change', async () => {
    const result = await runFixture(quickbooks, loadFixture(`${fixturesDir}/batch-two-companies.json`), { config: { realmId: OTHER_REALM }, secrets });
    assert.deepEqual((result.events as ExternalEvent[]).map((e) => [e.type, e.data.realmId, e.data.id]), [['invoice.updated', OTHER_REALM, '77']]);
  });
});

/** node-quickbooks' User-Agent: a request that carries it came through the SDK. */
const SDK_UA = /^node-quickbooks: version \d+\.\d+\.\d+$/;

describe('quickbooks fetch_entity (nock on the Accounting API through node-quickbooks)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  const ctx = (config: QuickBooksApiCtx['config'], invalidated: string[] = []): QuickBooksApiCtx => ({
    config,
    secrets,
    auth: { accessToken: async () => 'qb-access-1', invalidate: async () => void invalidated.push('invalidate') },
  });

  it('GETs /v3/company/{realm}/invoice/{id}?minorversion= on the sandbox host through node-quickbooks with the bearer token and returns the Invoice', async () => {
    const invoice = { Id: '1042', DocNumber: '1042', Balance: 1450, TotalAmt: 1450, CustomerRef: { value: '58', name: 'Dana Whitfield' } };
    const scope = nock('https://sandbox-quickbooks.api.intuit.com', { reqheaders: { authorization: 'Bearer qb-access-1', 'user-agent': SDK_UA, 'request-id': /^[0-9a-f-]{36}$/ } })
      .get(`/v3/company/${REALM}/invoice/1042`)
      .query({ minorversion: '75', format: 'json' })
      .reply(...reply(200, { Invoice: invoice, time: '2026-11-27T09:30:00.000-08:00' }));
    const out = await quickbooks.actions!.fetch_entity!.run({ entity: 'Invoice', id: '1042' }, ctx({ realmId: REALM, environment: 'sandbox' }));
    assert.deepEqual(out, { entity: invoice });
    assert.ok(scope.isDone());
  });

  it('production host and configured minor version; 401 → auth_failed with httpStatus 401 (the engine retries; the connector does not touch the token); 429 → rate_limited', async () => {
    const invalidated: string[] = [];
    nock('https://quickbooks.api.intuit.com')
      .get(`/v3/company/${REALM}/customer/58`)
      .query({ minorversion: '80', format: 'json' })
      .reply(...reply(401, { fault: { error: [{ message: 'message=AuthenticationFailed', code: '3200' }], type: 'AUTHENTICATION' } }));
    await assert.rejects(
      quickbooks.actions!.fetch_entity!.run({ entity: 'Customer', id: '58' }, ctx({ realmId: REALM, minorVersion: 80 }, invalidated)),
      (err: unknown) => err instanceof ConnectorError && err.code === 'auth_failed' && err.httpStatus === 401,
    );
    assert.deepEqual(invalidated, [], 'invalidation is the engine\'s (withAuthRetry)');
    nock('https://quickbooks.api.intuit.com')
      .get(`/v3/company/${REALM}/payment/2207`)
      .query(true)
      .reply(429, '{"fault":{}}', { 'retry-after': '60', 'content-length': '12' });
    await assert.rejects(
      quickbooks.actions!.fetch_entity!.run({ entity: 'Payment', id: '2207' }, ctx({ realmId: REALM })),
      (err: { code?: string; retryAfterMs?: number }) => err.code === 'rate_limited' && err.retryAfterMs === 60_000,
    );
  });

  it('through the engine\'s withAuthRetry: a 401 with the old token → invalidated once → the retry with the refreshed token succeeds', async () => {
    let token = 'qb-expired';
    const invalidated: string[] = [];
    const auth = { accessToken: async () => token, invalidate: async () => { invalidated.push(token); token = 'qb-refreshed'; } };
    const c: QuickBooksApiCtx = { config: { realmId: REALM }, secrets, auth };
    nock('https://quickbooks.api.intuit.com', { reqheaders: { authorization: 'Bearer qb-expired' } })
      .get(`/v3/company/${REALM}/payment/2207`).query(true).reply(...reply(401, { fault: { type: 'AUTHENTICATION' } }));
    nock('https://quickbooks.api.intuit.com', { reqheaders: { authorization: 'Bearer qb-refreshed' } })
      .get(`/v3/company/${REALM}/payment/2207`).query(true).reply(...reply(200, { Payment: { Id: '2207', TotalAmt: 1450 } }));
    const out = await withAuthRetry(c as unknown as IntegrationContext, () => quickbooks.actions!.fetch_entity!.run({ entity: 'Payment', id: '2207' }, c));
    assert.deepEqual(out, { entity: { Id: '2207', TotalAmt: 1450 } });
    assert.deepEqual(invalidated, ['qb-expired']);
  });

  it('Intuit faults (HTTP 400, or a Fault in a 200 answer) → invalid_request with Intuit\'s code and without its Message or Detail; 503 and no answer → vendor_unavailable without the token', async () => {
    const API = 'https://quickbooks.api.intuit.com';
    const run = (id: string) => quickbooks.actions!.fetch_entity!.run({ entity: 'Invoice', id }, ctx({ realmId: REALM }));
    // Intuit's error payload (https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/handling-common-errors).
    const fault = (code: string, message: string, detail: string) => ({ Fault: { Error: [{ Message: message, Detail: detail, code, element: '' }], type: 'ValidationFault' }, time: '2026-11-27T09:30:00.000-08:00' });
    const quiet = (err: ConnectorError) => !/Object Not Found|Duplicate|Dana Whitfield|qb-access-1/.test(err.message) && err.cause === undefined;

    nock(API).get(`/v3/company/${REALM}/invoice/1042`).query(true)
      .reply(...reply(400, fault('610', 'Object Not Found', 'Object Not Found : Another user has deleted this transaction.')));
    await assert.rejects(run('1042'), (err: unknown) =>
      ConnectorError.is(err) && err.code === 'invalid_request' && err.httpStatus === 400 && err.providerCode === '610' && /HTTP 400 to GET Invoice 1042 \(ValidationFault, code 610\)$/.test(err.message) && !err.retryable && quiet(err));

    nock(API).get(`/v3/company/${REALM}/invoice/1043`).query(true)
      .reply(...reply(200, fault('6240', 'Duplicate Name Exists Error', 'The name supplied already exists. : Dana Whitfield')));
    await assert.rejects(run('1043'), (err: unknown) =>
      ConnectorError.is(err) && err.code === 'invalid_request' && err.providerCode === '6240' && /GET Invoice 1043 with a fault \(ValidationFault, code 6240\)$/.test(err.message) && quiet(err));

    nock(API).get(`/v3/company/${REALM}/invoice/1044`).query(true).reply(...reply(503, '<html>Service Unavailable</html>', { 'content-type': 'text/html' }));
    await assert.rejects(run('1044'), (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable' && err.httpStatus === 503 && err.retryable);

    // No interceptor: nock refuses the connection (its error spells out the request, bearer header included).
    await assert.rejects(run('1045'), (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable' && err.httpStatus === undefined && quiet(err));
  });

  it('ctx.signal: an abort gives the read up (vendor_unavailable) and the answer that comes after it is dropped; an aborted signal sends nothing', async () => {
    let answer!: (err: null, result: [number, string, Record<string, string>]) => void;
    const arrived = new Promise<void>((resolve) => {
      nock('https://quickbooks.api.intuit.com').get(`/v3/company/${REALM}/invoice/1042`).query(true)
        .reply((_uri, _body, callback) => {
          answer = callback as typeof answer;
          resolve();
        });
    });
    const controller = new AbortController();
    const read = quickbooks.actions!.fetch_entity!.run({ entity: 'Invoice', id: '1042' }, { ...ctx({ realmId: REALM }), signal: controller.signal });
    await arrived;
    controller.abort();
    await assert.rejects(read, (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable' && /GET Invoice 1042 was aborted/.test(err.message));
    answer(null, reply(200, { Invoice: { Id: '1042' } }));

    // Already aborted: given up before any request (none is intercepted; one would fail as refused, not as aborted).
    await assert.rejects(
      quickbooks.actions!.fetch_entity!.run({ entity: 'Invoice', id: '1042' }, { ...ctx({ realmId: REALM }), signal: AbortSignal.abort() }),
      (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable' && /was aborted/.test(err.message),
    );
  });
});
