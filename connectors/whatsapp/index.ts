import { defineConnector } from '../kit/index.ts';
import type { Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { configSchema, secretsSchema, type WhatsAppConfig, type WhatsAppSecrets } from './schemas.ts';
import { createSender } from './send.ts';
import { createProvisioning } from './provisioning.ts';
import { sign, verify } from './verify.ts';
import { handshake, simulateStatus } from './webhook.ts';

// Validated at runtime by defineConnector; the JSON import's inferred type is only wider (string, not the enums).
const manifest = manifestJson as unknown as Manifest;
const sender = createSender(manifest);

/** Meta WhatsApp Cloud API: one WhatsApp Business phone number per connection. */
const whatsappConnector = defineConnector<WhatsAppConfig, WhatsAppSecrets>({
  id: 'whatsapp',
  version: '1.1.0',
  kind: 'channel',
  displayName: 'WhatsApp (Meta Cloud API)',
  description: 'WhatsApp Business messaging through Meta\'s Cloud API: text, media, templates, delivery and read statuses.',
  configSchema,
  secretsSchema,
  // HIPAA: Meta does not sign BAAs for the WhatsApp Business Platform.
  baaEligible: false,
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.status', 'messaging.media', 'messaging.templates'],
  channels: ['whatsapp'],
  manifest,
  verify,
  sign,
  handshake,
  simulateStatus,
  send: sender.send,
  preview: sender.preview,
  test: sender.test,
  provisioning: createProvisioning(manifest),
});

export default whatsappConnector;
export type { WhatsAppConfig, WhatsAppSecrets };
