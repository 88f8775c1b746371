import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it, beforeAll } from 'vitest';
import nock from 'nock';
import { runPollerOnce } from '../../core/connections/poller.ts';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { syncEvents, hasEvent } from '../../test/connections.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * QuickBooks through the engine: installed without a company, connected with Intuit's OAuth (the
 * redirect's realmId saved into the config), polled with CDC (customers → contacts, changes →
 * events), then Intuit's webhook for changes the poll already saw: one event per change.
 */
const REALM = '9341453050773651';
const VERIFIER = 'b3f1c2a4-7d9e-4e21-9c55-2f0a8d6e4b17';
const secrets = { clientId: 'ABqbEngineTestClientId', clientSecret: 'qbEngineTestClientSecret', webhookVerifierToken: VERIFIER };
const API = 'https://sandbox-quickbooks.api.intuit.com';
// Polls run at a fixed "now" so the CDC windows are the fixture's (tokens stay valid: they expire an hour after the real now).
const NOW = Date.parse('2026-11-27T17:40:00Z');
const cdcPage = JSON.parse(readFileSync(new URL('./fixtures/cdc/customers-invoices-payments.json', import.meta.url), 'utf8'));
const webhookBody = JSON.parse(readFileSync(new URL('./fixtures/batch-two-companies.json', import.meta.url), 'utf8')).request.body as string;

/** Intuit's token answer (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0). */
const intuitTokens = {
  token_type: 'bearer',
  expires_in: 3600,
  refresh_token: 'AB11795798000qbRefreshTokenSampleValue0000000000',
  x_refresh_token_expires_in: 8726400,
  access_token: 'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..qbEngineTestAccessToken',
};

describe('quickbooks through the engine: OAuth with realmId → CDC poll → contacts and events → the webhook for the same changes adds only what CDC cannot see', () => {
  const pipeline = usePipeline({ workers: false });
  let h: Harness;
  beforeAll(async () => {
    h = await pipeline.ready;
  });

  it('connects, polls, links contacts, and deduplicates the webhook against the poll', async () => {
    const { orgId, apiKey } = await h.newOrg();
    const created = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'quickbooks', name: 'QuickBooks', config: { environment: 'sandbox', startFrom: '2026-11-27T16:00:00Z' }, secrets });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const schedule = () => h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').where({ connection_id: id }).first());
    const makeDue = () => h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').where({ connection_id: id }).update({ next_run_at: tx.trx.raw(`now() - interval '1 second'`) }).returning('connection_id'));

    // Not connected yet: the poll fails with what to do, and backs off.
    const early = await runPollerOnce(h.engine, { now: () => NOW });
    assert.ok(early.failed >= 1);
    assert.match((await schedule()).last_error, /^auth_failed: This QuickBooks connection has no company yet: connect the company/);
    assert.equal((await schedule()).failures, 1);

    // Consent at Intuit, then Intuit's redirect with code, state and realmId.
    const authorize = await h.call(apiKey, 'GET', `/v1/connections/${id}/oauth/authorize`);
    assert.equal(authorize.status, 200, JSON.stringify(authorize.body));
    const consent = new URL(authorize.body.url);
    assert.equal(consent.origin + consent.pathname, 'https://appcenter.intuit.com/connect/oauth2');
    assert.equal(consent.searchParams.get('scope'), 'com.intuit.quickbooks.accounting');
    let form: URLSearchParams | undefined;
    const token = nock('https://oauth.platform.intuit.com')
      .post('/oauth2/v1/tokens/bearer', (body) => ((form = new URLSearchParams(body as unknown as string)), true))
      .matchHeader('authorization', 'Basic ' + Buffer.from(`${secrets.clientId}:${secrets.clientSecret}`).toString('base64'))
      .once()
      .reply(...reply(200, intuitTokens));
    const state = encodeURIComponent(consent.searchParams.get('state')!);
    const callback = await h.call(null, 'GET', `/v1/oauth/callback?code=AB11795798000authCode&state=${state}&realmId=${REALM}`);
    assert.equal(callback.status, 200, JSON.stringify(callback.body));
    assert.ok(token.isDone());
    assert.equal(form!.get('grant_type'), 'authorization_code');
    assert.equal(form!.get('code'), 'AB11795798000authCode');
    const connection = (await h.call(apiKey, 'GET', `/v1/connections/${id}`)).body;
    assert.deepEqual(connection.config, { environment: 'sandbox', startFrom: '2026-11-27T16:00:00Z', realmId: REALM });
    assert.equal((await schedule()).failures, 0, 'connecting clears the backoff: the poll is due at once');

    // CDC on the sandbox host with the token Intuit issued.
    const windows: string[] = [];
    nock(API, { reqheaders: { authorization: `Bearer ${intuitTokens.access_token}` } })
      .get(`/v3/company/${REALM}/cdc`)
      .query((q) => (windows.push(String(q.changedSince)), q.entities === 'Customer,Invoice,Payment' && q.minorversion === '75'))
      .times(2)
      .reply(() => reply(200, cdcPage));
    const polled = await runPollerOnce(h.engine, { now: () => NOW });
    assert.equal(polled.failed, 0);
    assert.deepEqual(windows, ['2026-11-27T16:00:00Z']);

    const quickbooksEvents = async () => (await syncEvents(h, apiKey)).filter((e) => e.type.startsWith('quickbooks.'));
    const afterPoll = await quickbooksEvents();
    assert.deepEqual(afterPoll.map((e) => [e.type, e.data.id]), [
      ['quickbooks.customer.created', '61'],
      ['quickbooks.invoice.created', '1042'],
      ['quickbooks.customer.updated', '58'],
      ['quickbooks.invoice.updated', '1035'],
      ['quickbooks.payment.created', '2207'],
      ['quickbooks.invoice.updated', '1017'],
      ['quickbooks.customer.updated', '77'],
      ['quickbooks.invoice.deleted', '1003'],
    ]);

    // Customers → contacts: found by their handles, linked to the customer id.
    const byHandle = async (kind: string, value: string) =>
      (await h.call(apiKey, 'GET', `/v1/contacts?handle[kind]=${kind}&handle[value]=${encodeURIComponent(value)}`)).body.data as any[];
    const [dana] = await byHandle('phone', '+14155550134');
    assert.equal(dana.name, 'Dana Whitfield');
    assert.deepEqual(dana.handles.map((x: { kind: string; value: string }) => [x.kind, x.value]).sort(), [['email', 'dana.whitfield@example.com'], ['phone', '+14155550134']]);
    assert.deepEqual(dana.links.map((l: { system: string; externalId: string }) => [l.system, l.externalId]), [['quickbooks', '58']]);
    assert.equal(dana.attributes.quickbooks.balance, 1450);
    const [lee] = await byHandle('email', 'lee.okafor@example.com');
    assert.deepEqual(lee.handles.map((x: { kind: string }) => x.kind), ['email'], 'the 7-digit phone could not be a number');
    assert.deepEqual(lee.links.map((l: { externalId: string }) => l.externalId), ['61']);

    // Intuit's webhook for changes the poll has seen (signed as Intuit signs it).
    const res = await fetch(connection.inboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'intuit-signature': createHmac('sha256', VERIFIER).update(webhookBody).digest('base64') },
      body: webhookBody,
    });
    assert.equal(res.status, 200, await res.text());
    const afterWebhook = await syncEvents(h, apiKey, hasEvent('quickbooks.invoice.voided'));
    // Invoice 1042 created, customer 58 updated and payment 2207 created were known: only the void, which CDC cannot tell, is new.
    assert.deepEqual(afterWebhook.filter((e) => e.type.startsWith('quickbooks.')).slice(afterPoll.length).map((e) => [e.type, e.data.id]), [['quickbooks.invoice.voided', '1017']]);

    // The next poll gets the same page again: nothing twice.
    await makeDue();
    const again = await runPollerOnce(h.engine, { now: () => NOW });
    assert.equal(again.failed, 0);
    assert.equal(again.events, 0);
    assert.deepEqual(windows, ['2026-11-27T16:00:00Z', '2026-11-27T17:33:00Z']);
    assert.equal((await quickbooksEvents()).length, afterPoll.length + 1);
  });
});
