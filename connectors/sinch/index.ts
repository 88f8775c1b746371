import { defineConnector } from '../kit/index.ts';
import type { Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { configSchema, secretsSchema, type SinchConfig, type SinchSecrets } from './schemas.ts';
import { createSender } from './send.ts';
import { sign, verify } from './verify.ts';
import { simulateStatus } from './webhook.ts';

// Validated at runtime by defineConnector; the JSON import's inferred type is only wider (string, not the enums).
const manifest = manifestJson as unknown as Manifest;
const sender = createSender(manifest);

/** Sinch SMS REST API: SMS (and MMS in the US) out through batches, inbound messages and delivery reports in. */
const sinchConnector = defineConnector<SinchConfig, SinchSecrets>({
  id: 'sinch',
  version: '1.0.0',
  kind: 'channel',
  displayName: 'Sinch SMS',
  description: 'SMS through the Sinch SMS REST API (service plan + API token): batches out, inbound messages and delivery reports in.',
  icon: 'https://www.sinch.com/favicon.ico',
  configSchema,
  secretsSchema,
  // HIPAA: Sinch offers BAAs only under individually negotiated enterprise agreements: not assumed.
  baaEligible: false,
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.status', 'messaging.media'],
  channels: ['sms', 'mms'],
  manifest,
  verify,
  sign,
  send: sender.send,
  preview: sender.preview,
  test: sender.test,
  simulateStatus,
});

export default sinchConnector;
export type { SinchConfig, SinchSecrets };
