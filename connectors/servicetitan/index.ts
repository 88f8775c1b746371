import { defineConnector, type TestResult } from '../kit/index.ts';
import { stGet, type StCtx } from './api.ts';
import { poll } from './poll.ts';
import { configSchema, hosts, secretsSchema, type ServiceTitanConfig, type ServiceTitanSecrets } from './schemas.ts';

async function test(ctx: StCtx): Promise<TestResult> {
  try {
    await stGet(ctx, '/jpm/v2/tenant/{tenant}/appointments', { pageSize: 1 });
    return { ok: true };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** ServiceTitan: job / appointment status changes with technician and customer, polled; customers → contacts. */
const servicetitan = defineConnector<ServiceTitanConfig, ServiceTitanSecrets>({
  id: 'servicetitan',
  version: '1.0.1',
  kind: 'vertical',
  displayName: 'ServiceTitan',
  description: 'Job appointments (scheduled, dispatched, working, done, canceled) with technician and customer, polled every minute; customers linked to contacts.',
  icon: 'https://www.servicetitan.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['events.emit', 'contacts.sync'],
  manifest: {},
  // Each environment mints its own tokens (integration = ServiceTitan's sandbox tenants).
  oauth: { flow: 'client_credentials', tokenUrl: (config) => hosts[(config as Partial<ServiceTitanConfig>).environment ?? 'production'].auth, clientAuth: 'body' },
  poll,
  test,
});

export default servicetitan;
export type { ServiceTitanConfig, ServiceTitanSecrets };
