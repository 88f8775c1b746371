import { defineConnector } from '../kit/index.ts';
import type { Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { configSchema, secretsSchema, type SendGridConfig, type SendGridSecrets } from './schemas.ts';
import { createSender } from './send.ts';
import { sign, verify } from './verify.ts';
import { simulateStatus } from './webhook.ts';
import { provisioning } from './provisioning.ts';

// Validated at runtime by defineConnector; the JSON import's inferred type is only wider (string, not the enums).
const manifest = manifestJson as unknown as Manifest;
const sender = createSender(manifest);

/** SendGrid email: Mail Send out, Inbound Parse and the signed Event Webhook in. */
const sendgridConnector = defineConnector<SendGridConfig, SendGridSecrets>({
  id: 'sendgrid',
  version: '1.1.0',
  kind: 'channel',
  displayName: 'SendGrid',
  description: 'Email through Twilio SendGrid: sending with threading headers, Inbound Parse, and delivery events from the signed Event Webhook.',
  icon: 'https://sendgrid.com/favicon.ico',
  configSchema,
  secretsSchema,
  // HIPAA: SendGrid (Twilio) email is covered by Twilio's BAA.
  baaEligible: true,
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.status'],
  channels: ['email'],
  manifest,
  verify,
  sign,
  send: sender.send,
  preview: sender.preview,
  test: sender.test,
  simulateStatus,
  provisioning,
});

export default sendgridConnector;
export type { SendGridConfig, SendGridSecrets };
