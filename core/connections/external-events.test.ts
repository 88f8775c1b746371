import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { startHarness, type Harness } from '../../test/harness.ts';
import { hasEvent, syncEvents } from '../../test/connections.ts';
import { applyInboundEvents } from './apply-events.ts';

/** External events end to end: Stripe webhooks (signed by the stripe SDK) through /v1/receive → engine events, once. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const WEBHOOK_SECRET = 'whsec_9Lq2mX4vR8tB1nZ6kP3sW7yD0fH5jC2e';
const body = (name: string) => JSON.parse(readFileSync(new URL(`../../connectors/stripe/fixtures/${name}.json`, import.meta.url), 'utf8')).request.body as string;

async function stripeConnection(apiKey: string) {
  const res = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'stripe',
    name: 'Stripe',
    secrets: { secretKey: 'sk_test_51Nv0FGQ9RKHgCVdKexample', webhookSecret: WEBHOOK_SECRET },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; inboundUrl: string };
}

async function postStripe(url: string, payload: string, secret = WEBHOOK_SECRET) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
    body: payload,
  });
  return { status: res.status, text: await res.text() };
}

test('Stripe customer.created → one contact with both handles, linked as stripe, and a stripe.customer.created event', async () => {
  const { apiKey } = await h.newOrg();
  const c = await stripeConnection(apiKey);
  const res = await postStripe(c.inboundUrl, body('customer-created'));
  assert.equal(res.status, 200, res.text);
  const events = await syncEvents(h, apiKey, hasEvent('stripe.customer.created'));
  const e = events.find((x) => x.type === 'stripe.customer.created')!;
  assert.equal(e.data.connectionId, c.id);
  assert.equal(e.data.externalId, 'evt_1QH3kL2eZvKYlo2CdP0sXe4M');
  assert.equal(e.data.occurredAt, '2025-11-26T07:40:00.000Z');
  assert.equal(e.data.customer.id, 'cus_R9fKx2LmQ4sT7u');
  assert.equal(e.subjectId, e.data.contactId);
  const contact = (await h.call(apiKey, 'GET', `/v1/contacts/${e.data.contactId}`)).body;
  assert.equal(contact.name, 'Dana Whitfield');
  assert.deepEqual(contact.handles.map((x: { kind: string; value: string }) => [x.kind, x.value]).sort(), [['email', 'dana.whitfield@example.com'], ['phone', '+14155550134']]);
  assert.deepEqual(contact.links.map((l: { system: string; externalId: string }) => [l.system, l.externalId]), [['stripe', 'cus_R9fKx2LmQ4sT7u']]);
  assert.deepEqual(contact.attributes.stripe, { customerId: 'cus_R9fKx2LmQ4sT7u' });
  assert.equal(events.filter((x) => x.type === 'contact.created').length, 1, 'email and phone of one customer are one contact');
});

test('Stripe invoice.payment_failed → stripe.invoice.payment_failed with amounts, pay URL, attempt count and contactId; redeliveries change nothing', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await stripeConnection(apiKey);
  const payload = body('invoice-payment-failed');
  assert.equal((await postStripe(c.inboundUrl, payload)).status, 200);
  const events = await syncEvents(h, apiKey, hasEvent('stripe.invoice.payment_failed'));
  const e = events.find((x) => x.type === 'stripe.invoice.payment_failed')!;
  assert.deepEqual(
    [e.data.connectionId, e.data.externalId, e.data.invoice.amountRemaining, e.data.invoice.currency, e.data.invoice.attemptCount, e.data.customer.name],
    [c.id, 'evt_1QH4rU2eZvKYlo2Cq2FhB7Nn', 145000, 'usd', 1, 'Dana Whitfield'],
  );
  assert.match(e.data.invoice.hostedInvoiceUrl, /^https:\/\/invoice\.stripe\.com\//);
  const contact = (await h.call(apiKey, 'GET', `/v1/contacts/${e.data.contactId}`)).body;
  assert.ok(contact.handles.some((x: { value: string }) => x.value === '+14155550134'));

  // Stripe retries a delivery it did not see acknowledged, possibly several at once.
  const again = await Promise.all([postStripe(c.inboundUrl, payload), postStripe(c.inboundUrl, payload), postStripe(c.inboundUrl, payload)]);
  assert.deepEqual(again.map((r) => r.status), [200, 200, 200]);
  const after = await syncEvents(h, apiKey);
  assert.equal(after.filter((x) => x.type === 'stripe.invoice.payment_failed').length, 1);
  assert.equal(after.filter((x) => x.type === 'contact.created').length, 1);
  const rows = await h.engine.tenant(orgId, (tx) => tx.trx('external_events').where({ connection_id: c.id }));
  assert.deepEqual(rows.map((r: { type: string; external_id: string }) => [r.type, r.external_id]), [['invoice.payment_failed', 'evt_1QH4rU2eZvKYlo2Cq2FhB7Nn']]);

  // A wrong signature is refused before anything is stored.
  assert.equal((await postStripe(c.inboundUrl, payload, 'whsec_other')).status, 401);
});

test('an event without an external id is deduplicated by its content; an unusable subject handle leaves the event without contact', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await stripeConnection(apiKey);
  const event = { kind: 'external_event' as const, type: 'invoice.paid', occurredAt: '2025-11-28T07:47:00.000Z', subject: { kind: 'phone', value: '555-0100' }, data: { invoice: { id: 'in_1' } } };
  const first = await h.engine.tenant(orgId, (tx) => applyInboundEvents(tx, c.id, [event]));
  const second = await h.engine.tenant(orgId, (tx) => applyInboundEvents(tx, c.id, [event]));
  const other = await h.engine.tenant(orgId, (tx) => applyInboundEvents(tx, c.id, [{ ...event, data: { invoice: { id: 'in_2' } } }]));
  assert.deepEqual([first.externalEvents, second.externalEvents, second.externalDuplicates, other.externalEvents], [1, 0, 1, 1]);
  const events = (await syncEvents(h, apiKey, hasEvent('stripe.invoice.paid', 2))).filter((x) => x.type === 'stripe.invoice.paid');
  assert.equal(events.length, 2);
  assert.equal(events[0]!.data.contactId, undefined);
  assert.equal(events[0]!.data.externalId, null);
});
