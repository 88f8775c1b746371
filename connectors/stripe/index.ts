import { defineConnector, type Manifest, type TestResult } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { sign, stripeClient, toConnectorError, verify, type StripeCtx } from './client.ts';
import { createPaymentLink } from './payment-link.ts';
import { configSchema, secretsSchema, type StripeConfig, type StripeSecrets } from './schemas.ts';

const manifest = manifestJson as unknown as Manifest;

async function test(ctx: StripeCtx): Promise<TestResult> {
  try {
    const balance = await stripeClient(ctx).balance.retrieve();
    return { ok: true, message: `Connected (${balance.livemode ? 'live' : 'test'} mode).` };
  } catch (err) {
    return { ok: false, message: toConnectorError(err).message };
  }
}

/** Stripe: payment and customer events for rules, customers → contacts, payment links for messages. */
const stripeConnector = defineConnector<StripeConfig, StripeSecrets>({
  id: 'stripe',
  version: '1.0.0',
  kind: 'payments',
  displayName: 'Stripe',
  description: 'Invoice, payment and customer events from Stripe webhooks; customers linked to contacts; payment links for rule messages.',
  icon: 'https://stripe.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['events.emit', 'contacts.sync', 'actions.invoke', 'payments.request'],
  manifest,
  verify,
  sign,
  test,
  actions: { create_payment_link: createPaymentLink },
});

export default stripeConnector;
export type { StripeConfig, StripeSecrets };
