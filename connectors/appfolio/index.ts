import { defineConnector, type Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { createPoll } from './poll.ts';
import { configSchema, secretsSchema, type AppFolioConfig, type AppFolioSecrets } from './schemas.ts';

// Validated at runtime by defineConnector; the JSON import's inferred type is only wider.
const manifest = manifestJson as unknown as Manifest;

/** AppFolio Property Manager through its Reports API v2 (polled): people and work orders. */
const appfolio = defineConnector<AppFolioConfig, AppFolioSecrets>({
  id: 'appfolio',
  version: '1.0.0',
  kind: 'vertical',
  displayName: 'AppFolio',
  description: 'Tenants, owners and vendors (with property and unit) and work order changes from AppFolio Property Manager.',
  icon: 'https://www.appfolio.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['events.emit', 'contacts.sync'],
  manifest,
  poll: { intervalSeconds: 300, run: createPoll(manifest) },
});

export default appfolio;
export type { AppFolioConfig, AppFolioSecrets };
