import type Stripe from 'stripe';
import { ConnectorError, type ActionHandler } from '../kit/index.ts';
import { stripeClient, toConnectorError } from './client.ts';
import type { StripeConfig, StripeSecrets } from './schemas.ts';

/**
 * create_payment_link: a hosted Stripe checkout page a rule can put in a message ("pay here").
 * Either an existing Price, or an ad-hoc amount (price_data) for a one-off balance such as an
 * invoice's amount_remaining. An idempotencyKey (e.g. the triggering event's id) makes a replayed
 * rule get the same link back instead of a second one.
 */
const inputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    price: { type: 'string', pattern: '^price_', description: 'An existing Price id.' },
    amount: { type: 'integer', minimum: 1, description: 'Ad-hoc price in the currency\'s minor unit (cents).' },
    currency: { type: 'string', pattern: '^[a-zA-Z]{3}$' },
    productName: { type: 'string', minLength: 1, maxLength: 250 },
    quantity: { type: 'integer', minimum: 1, default: 1 },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
    afterCompletionUrl: { type: 'string', pattern: '^https?://' },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 255 },
  },
  anyOf: [{ required: ['price'] }, { required: ['amount', 'currency', 'productName'] }],
} as const;

interface Input {
  price?: string;
  amount?: number;
  currency?: string;
  productName?: string;
  quantity?: number;
  metadata?: Record<string, string>;
  afterCompletionUrl?: string;
  idempotencyKey?: string;
}

function lineItem(input: Input): Stripe.PaymentLinkCreateParams.LineItem {
  const quantity = input.quantity ?? 1;
  if (input.price) return { price: input.price, quantity };
  if (!input.amount || !input.currency || !input.productName) {
    throw new ConnectorError('invalid_request', 'create_payment_link needs a price, or amount + currency + productName');
  }
  return {
    price_data: { currency: input.currency.toLowerCase(), unit_amount: input.amount, product_data: { name: input.productName } },
    quantity,
  };
}

export const createPaymentLink: ActionHandler<StripeConfig, StripeSecrets> = {
  description: 'Creates a Stripe Payment Link (an existing price or an ad-hoc amount) and returns its url and id.',
  inputSchema,
  async run(raw, ctx) {
    const input = raw as Input;
    const params: Stripe.PaymentLinkCreateParams = {
      line_items: [lineItem(input)],
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...(input.afterCompletionUrl ? { after_completion: { type: 'redirect', redirect: { url: input.afterCompletionUrl } } } : {}),
    };
    try {
      const link = await stripeClient(ctx).paymentLinks.create(params, input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : undefined);
      return { url: link.url, id: link.id };
    } catch (err) {
      throw toConnectorError(err);
    }
  },
};
