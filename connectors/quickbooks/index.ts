import { defineConnector, type Manifest, type TestResult } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { realmOf, type QuickBooksApiCtx } from './api.ts';
import { fetchEntity, fetchEntityAction } from './fetch-entity.ts';
import { poll } from './poll.ts';
import { configSchema, secretsSchema, type QuickBooksConfig, type QuickBooksSecrets } from './schemas.ts';
import { sign, verify } from './signature.ts';

const manifest = manifestJson as unknown as Manifest;

/**
 * The connection test checks that the engine can produce a token for the company (a refresh that
 * Intuit refuses fails here); entity ids are the company's own, so no fixed record can be read.
 */
async function test(ctx: QuickBooksApiCtx): Promise<TestResult> {
  if (!ctx.auth) return { ok: false, message: 'Connect the QuickBooks company (OAuth) first.' };
  try {
    realmOf(ctx);
    await ctx.auth.accessToken();
    return { ok: true };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/**
 * QuickBooks Online: invoice, payment and customer changes from Intuit webhooks, and from Change
 * Data Capture polling that also catches what the webhooks missed, as events rules can trigger on
 * ("invoice voided", "payment received"); customers synced to contacts by that polling; a
 * fetch_entity action to read the entity. Kind "payments": like Stripe it is the source of money
 * events (invoices, payments) that drive reminders, not a vertical's operational system.
 */
const quickbooks = defineConnector<QuickBooksConfig, QuickBooksSecrets>({
  id: 'quickbooks',
  version: '1.1.1',
  kind: 'payments',
  displayName: 'QuickBooks Online',
  description: 'Invoice, payment and customer changes from QuickBooks Online webhooks and Change Data Capture polling as events; customers linked to contacts; reads the changed entity on demand.',
  icon: 'https://quickbooks.intuit.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['events.emit', 'actions.invoke', 'contacts.sync'],
  manifest,
  verify,
  sign,
  test,
  oauth: {
    flow: 'authorization_code',
    authorizeUrl: 'https://appcenter.intuit.com/connect/oauth2',
    tokenUrl: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    scopes: ['com.intuit.quickbooks.accounting'],
    clientAuth: 'basic',
    // Intuit names the company the admin connected on the redirect; it becomes config.realmId.
    callbackConfig: { realmId: 'realmId' },
  },
  poll,
  actions: { fetch_entity: fetchEntityAction },
});

export default quickbooks;
export { fetchEntity };
export type { QuickBooksConfig, QuickBooksSecrets };
