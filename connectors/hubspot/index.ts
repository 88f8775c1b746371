import { defineConnector, type Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { call, hubspotClient } from './client.ts';
import { hubspotCrm } from './crm.ts';
import { configSchema, secretsSchema, type HubSpotConfig, type HubSpotSecrets } from './schemas.ts';
import { sign, verify } from './verify.ts';

const manifest = manifestJson as unknown as Manifest;

/** HubSpot CRM: contact lookup / creation, conversation logging to the timeline, signed webhooks. */
const hubspotConnector = defineConnector<HubSpotConfig, HubSpotSecrets>({
  id: 'hubspot',
  version: '1.0.0',
  kind: 'crm',
  displayName: 'HubSpot',
  description: 'Finds or creates HubSpot contacts for conversations, logs SMS / WhatsApp / chat as communications and email as email engagements, and turns HubSpot webhooks into events.',
  icon: 'https://www.hubspot.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['crm.lookup', 'crm.log', 'events.emit'],
  manifest,
  verify,
  sign,
  crm: hubspotCrm,
  oauth: {
    flow: 'authorization_code',
    authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write'],
    // HubSpot's token endpoint takes client_id / client_secret as form fields.
    clientAuth: 'body',
  },
  async test(ctx) {
    const client = await hubspotClient(ctx);
    await call('contacts page', () => client.crm.contacts.basicApi.getPage(1));
    return { ok: true, message: 'HubSpot accepted the token.' };
  },
});

export default hubspotConnector;
export type { HubSpotConfig, HubSpotSecrets };
