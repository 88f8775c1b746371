import { defineConnector, signBearerToken, verifyBearerToken } from '../kit/index.ts';
import { manifest } from './manifest.ts';
import { configSchema, secretsSchema, type RentRediConfig, type RentRediSecrets } from './schemas.ts';

/**
 * RentRedi has no public API or webhooks: this connector ingests the CSV exports an admin
 * downloads (tenant list, maintenance requests), uploaded to the connection's receive URL.
 */
const rentredi = defineConnector<RentRediConfig, RentRediSecrets>({
  id: 'rentredi',
  version: '1.0.0',
  kind: 'vertical',
  displayName: 'RentRedi',
  description: 'Tenants (with property and unit) and maintenance request changes from uploaded RentRedi CSV exports.',
  icon: 'https://www.rentredi.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['events.emit', 'contacts.sync'],
  manifest,
  verify: (req, ctx) => verifyBearerToken(req, ctx.secrets.uploadToken),
  sign: (_req, ctx) => signBearerToken(ctx.secrets.uploadToken),
});

export default rentredi;
export type { RentRediConfig, RentRediSecrets };
