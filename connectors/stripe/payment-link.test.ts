import assert from 'node:assert/strict';
import { describe, it, beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { ConnectorError } from '../kit/index.ts';
import stripe from './index.ts';
import { reply } from '../../test/nock-reply.ts';

const ctx = { config: {}, secrets: { secretKey: 'sk_test_51Nv0FGQ9RKHgCVdKexample' } };
const LINK = {
  id: 'plink_1QH4sA2eZvKYlo2C8rFvXa3B',
  object: 'payment_link',
  active: true,
  url: 'https://buy.stripe.com/test_6oE4hM0Qk9Bu3e8aEE',
  livemode: false,
  metadata: { invoice: 'in_1QH4rT2eZvKYlo2CkV3fP9qL' },
};

/** nock + keep-alive SDK clients: a reply needs an explicit Content-Length or the request hangs. */

const run = (input: Record<string, unknown>) => stripe.actions!.create_payment_link!.run(input, ctx);

describe('stripe create_payment_link (through the stripe SDK, HTTP intercepted by nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('an ad-hoc amount → price_data line item, idempotency key passed, {url, id} back', async () => {
    let form: URLSearchParams | undefined;
    let headers: Record<string, string | string[]> = {};
    const scope = nock('https://api.stripe.com')
      .post('/v1/payment_links')
      .reply(function (_uri, body) {
        headers = this.req.headers;
        form = new URLSearchParams(String(body));
        return reply(200, LINK);
      });
    const out = await run({ amount: 145000, currency: 'USD', productName: 'Invoice MSPM-0042', metadata: { invoice: 'in_1QH4rT2eZvKYlo2CkV3fP9qL' }, idempotencyKey: 'evt_1QH4rU2eZvKYlo2Cq2FhB7Nn' });
    assert.deepEqual(out, { url: LINK.url, id: LINK.id });
    assert.ok(scope.isDone());
    assert.equal(form!.get('line_items[0][price_data][currency]'), 'usd');
    assert.equal(form!.get('line_items[0][price_data][unit_amount]'), '145000');
    assert.equal(form!.get('line_items[0][price_data][product_data][name]'), 'Invoice MSPM-0042');
    assert.equal(form!.get('line_items[0][quantity]'), '1');
    assert.equal(form!.get('metadata[invoice]'), 'in_1QH4rT2eZvKYlo2CkV3fP9qL');
    assert.equal(headers['idempotency-key'], 'evt_1QH4rU2eZvKYlo2Cq2FhB7Nn');
    assert.equal(headers.authorization, `Bearer ${ctx.secrets.secretKey}`);
  });

  it('an existing price → line_items[0][price]', async () => {
    let form: URLSearchParams | undefined;
    nock('https://api.stripe.com')
      .post('/v1/payment_links')
      .reply(function (_uri, body) {
        form = new URLSearchParams(String(body));
        return reply(200, LINK);
      });
    assert.deepEqual(await run({ price: 'price_1QH4p02eZvKYlo2CqVtR0fDk', quantity: 2 }), { url: LINK.url, id: LINK.id });
    assert.equal(form!.get('line_items[0][price]'), 'price_1QH4p02eZvKYlo2CqVtR0fDk');
    assert.equal(form!.get('line_items[0][quantity]'), '2');
  });

  it('429 → ConnectorError rate_limited with Retry-After; 400 → invalid_request with Stripe\'s code; no network → vendor_unavailable', async () => {
    nock('https://api.stripe.com').post('/v1/payment_links').reply(...reply(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }, { 'retry-after': '7' }));
    const limited = await run({ price: 'price_1' }).catch((e: unknown) => e);
    assert.ok(ConnectorError.is(limited));
    assert.equal(limited.code, 'rate_limited');
    assert.equal(limited.retryAfterMs, 7000);
    nock('https://api.stripe.com').post('/v1/payment_links').reply(...reply(400, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such price', param: 'line_items[0][price]' } }));
    const bad = await run({ price: 'price_missing' }).catch((e: unknown) => e);
    assert.ok(ConnectorError.is(bad));
    assert.deepEqual([bad.code, bad.providerCode, bad.httpStatus], ['invalid_request', 'resource_missing', 400]);
    const down = await run({ price: 'price_1' }).catch((e: unknown) => e);
    assert.ok(ConnectorError.is(down));
    assert.equal(down.code, 'vendor_unavailable');
  });
});
