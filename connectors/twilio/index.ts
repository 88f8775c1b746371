import { defineConnector } from '../kit/index.ts';
import type { Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { configSchema, secretsSchema, type TwilioConfig, type TwilioSecrets } from './schemas.ts';
import { createSender } from './send.ts';
import { createProvisioning } from './provisioning.ts';
import { sign, verify } from './verify.ts';
import { ack, simulateStatus } from './webhook.ts';

// Validated at runtime by defineConnector; the JSON import's inferred type is only wider (string, not the enums).
const manifest = manifestJson as unknown as Manifest;
const sender = createSender(manifest);

/** Twilio Programmable Messaging: SMS, MMS and WhatsApp via Twilio. */
const twilioConnector = defineConnector<TwilioConfig, TwilioSecrets>({
  id: 'twilio',
  version: '1.2.0',
  kind: 'channel',
  displayName: 'Twilio',
  description: 'SMS, MMS and WhatsApp through Twilio Programmable Messaging.',
  icon: 'https://www.twilio.com/favicon.ico',
  configSchema,
  secretsSchema,
  // HIPAA: Twilio signs a BAA for its HIPAA-eligible products, Programmable Messaging included.
  baaEligible: true,
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.status', 'messaging.media', 'messaging.templates'],
  channels: ['sms', 'mms', 'whatsapp'],
  manifest,
  verify,
  sign,
  send: sender.send,
  preview: sender.preview,
  test: sender.test,
  ack,
  simulateStatus,
  provisioning: createProvisioning(manifest),
});

export default twilioConnector;
export type { TwilioConfig, TwilioSecrets };
