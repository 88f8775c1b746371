import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import Stripe from 'stripe';
import { assertFixture, assertRejected, assertVerified, loadFixture, loadFixtures, runFixture, type Fixture } from '../kit/harness.ts';
import { createRegistry } from '../kit/index.ts';
import stripe from './index.ts';

const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;
const WEBHOOK_SECRET = 'whsec_9Lq2mX4vR8tB1nZ6kP3sW7yD0fH5jC2e';
const secrets = { secretKey: 'sk_test_51Nv0FGQ9RKHgCVdKexample', webhookSecret: WEBHOOK_SECRET };
const opts = { config: {}, secrets };

describe('stripe connector definition', () => {
  it('is a valid payments connector with an invokable create_payment_link, registrable', () => {
    const registry = createRegistry();
    registry.register(stripe);
    assert.equal(registry.resolve('stripe', 1), stripe);
    assert.equal(stripe.kind, 'payments');
    assert.ok(stripe.capabilities.includes('events.emit') && stripe.capabilities.includes('actions.invoke'));
    assert.equal(typeof stripe.actions?.create_payment_link?.run, 'function');
    assert.deepEqual(stripe.validateSecrets(secrets), []);
    assert.deepEqual(stripe.validateSecrets({ secretKey: 'pk_test_123' }), ['secrets/secretKey: must match pattern "^(sk|rk)_(test|live)_[A-Za-z0-9]+$"']);
  });
});

describe('stripe fixtures: signed by the SDK → verified by the SDK → mapped', () => {
  for (const fixture of loadFixtures(fixturesDir)) {
    it(fixture.name, async () => {
      await assertFixture(stripe, fixture, opts);
    });
  }

  it('accepts a header made by stripe.webhooks.generateTestHeaderString directly', async () => {
    const fixture = loadFixture(`${fixturesDir}/invoice-payment-failed.json`);
    const header = Stripe.webhooks.generateTestHeaderString({ payload: fixture.request.body as string, secret: WEBHOOK_SECRET });
    const recorded: Fixture = { ...fixture, signature: 'recorded', request: { ...fixture.request, headers: { ...fixture.request.headers, 'Stripe-Signature': header } } };
    const result = await runFixture(stripe, recorded, opts);
    assertVerified(result);
    assert.deepEqual(result.events, fixture.expect);
  });

  it('refuses a tampered body, another secret, a missing header and a timestamp older than 300 s', async () => {
    const fixture = loadFixture(`${fixturesDir}/invoice-payment-failed.json`);
    const tampered = await runFixture(stripe, fixture, { ...opts, mutate: (r) => ({ ...r, body: Buffer.from(r.body.toString().replace('145000', '1')) }) });
    assertRejected(tampered, 'bad_signature');
    const other = await runFixture(stripe, fixture, { ...opts, mutate: (r) => ({ ...r, headers: { ...r.headers, 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: r.body.toString(), secret: 'whsec_other' }) } }) });
    assertRejected(other, 'bad_signature');
    const missing = await runFixture(stripe, fixture, { ...opts, mutate: (r) => ({ ...r, headers: { 'content-type': 'application/json' } }) });
    assertRejected(missing, 'missing_signature');
    const signedAt = Date.now() - 301_000;
    const stale = await runFixture(stripe, fixture, {
      ...opts,
      mutate: (r) => ({ ...r, headers: { ...r.headers, 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: r.body.toString(), secret: WEBHOOK_SECRET, timestamp: Math.floor(signedAt / 1000) }) } }),
    });
    assertRejected(stale, 'stale');
    const req = { method: 'POST', url: 'https://sb.test/v1/receive/x', headers: { 'stripe-signature': 't=1,v1=00' }, body: Buffer.from('{}') };
    assert.deepEqual(await stripe.verify!(req, { config: {}, secrets: { secretKey: secrets.secretKey } }), { ok: false, reason: 'missing_secret' });
  });
});
