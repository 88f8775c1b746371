import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import Stripe from 'stripe';
import type { Harness } from '../test/harness.ts';
import { usePipeline } from '../test/pipeline.ts';
import { twilioConnection } from '../test/connections.ts';
import { waitFor } from '../test/wait.ts';
import { reply } from '../test/nock-reply.ts';

/**
 * Done means (3): a failed Stripe rent payment, signed with the SDK's own test-header helper,
 * enters through /v1/receive → stripe.invoice.payment_failed → a rule invokes Stripe's
 * create_payment_link (real SDK, HTTP intercepted by nock) → an SMS reminder carrying the pay
 * link goes out through the send path. A redelivered webhook sends nothing twice.
 */
const pipeline = usePipeline({ rules: true });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const WEBHOOK_SECRET = 'whsec_9Lq2mX4vR8tB1nZ6kP3sW7yD0fH5jC2e';
const LINK = { id: 'plink_1QH4sA2eZvKYlo2C8rFvXa3B', object: 'payment_link', active: true, url: 'https://buy.stripe.com/test_6oE4hM0Qk9Bu3e8aEE', livemode: false, metadata: {} };
const fixture = JSON.parse(readFileSync(new URL('../connectors/stripe/fixtures/invoice-payment-failed.json', import.meta.url), 'utf8')).request.body as string;

async function postStripe(url: string, payload: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) },
    body: payload,
  });
  return { status: res.status, text: await res.text() };
}

test('Stripe invoice.payment_failed → rule → create_payment_link → SMS reminder with the pay link, once', async () => {
  const { apiKey, orgId } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  const stripe = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'stripe',
    name: 'Stripe',
    secrets: { secretKey: 'sk_test_51Nv0FGQ9RKHgCVdKexample', webhookSecret: WEBHOOK_SECRET },
  });
  assert.equal(stripe.status, 201, JSON.stringify(stripe.body));
  const rule = await h.call(apiKey, 'POST', '/v1/rules', {
    name: 'Rent reminder',
    trigger: 'stripe.invoice.payment_failed',
    condition: { '>': [{ var: 'event.data.invoice.amountRemaining' }, 0] },
    actions: [
      {
        type: 'invoke',
        connector: 'stripe',
        action: 'create_payment_link',
        input: { amount: '{{event.data.invoice.amountRemaining}}', currency: '{{event.data.invoice.currency}}', productName: 'Rent' },
        as: 'payLink',
      },
      { type: 'send_message', channel: 'sms', body: 'Hi {{contact.name}}, your rent payment did not go through. Pay here: {{results.payLink.url}}' },
    ],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));

  let form: URLSearchParams | undefined;
  const scope = nock('https://api.stripe.com')
    .post('/v1/payment_links')
    .reply(function (_uri, body) {
      form = new URLSearchParams(String(body));
      return reply(200, LINK);
    });

  assert.equal((await postStripe(stripe.body.inboundUrl, fixture)).status, 200);
  const outbound = () => h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ direction: 'outbound' }));
  const sms = await waitFor('the reminder', async () => {
    const rows = await outbound();
    return rows.length && rows[0].status !== 'queued' ? rows[0] : null;
  }, 15_000, 100);
  assert.ok(scope.isDone(), 'Stripe was asked for a payment link');
  assert.equal(form!.get('line_items[0][price_data][unit_amount]'), '145000');
  assert.equal(form!.get('line_items[0][price_data][currency]'), 'usd');
  const body = await h.engine.tenant(orgId, async (tx) => tx.crypto.decrypt(sms.id, 'body', Buffer.from(sms.body_enc)));
  assert.equal(body, `Hi Dana Whitfield, your rent payment did not go through. Pay here: ${LINK.url}`);
  assert.equal(sms.channel, 'sms');

  // Stripe redelivers the same event: deduplicated before any rule runs again.
  assert.equal((await postStripe(stripe.body.inboundUrl, fixture)).status, 200);
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await outbound()).length, 1);
});
