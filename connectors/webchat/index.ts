import { defineConnector, mapOutbound, type Manifest, type OutboundMessage, type SendResult } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { configSchema, secretsSchema, type WebchatConfig, type WebchatSecrets } from './schemas.ts';

const manifest = manifestJson as unknown as Manifest;

/**
 * The channel of the embeddable widget and of host apps posting in-app messages. There is no
 * provider to call: an outbound message is already on the realtime stream (the relay publishes
 * every message.created) and in the visitor's GET /v1/widget/messages, so "sending" only
 * confirms it, with a provider id derived from ours.
 */
const webchatConnector = defineConnector<WebchatConfig, WebchatSecrets>({
  id: 'webchat',
  version: '1.0.0',
  kind: 'channel',
  displayName: 'Web chat',
  description: 'The built-in chat widget and in-app messages: visitors identified by your app (optionally verified with an HMAC of the user id).',
  configSchema,
  secretsSchema,
  // HIPAA: Web chat never leaves Switchboard: no third party sees the content.
  baaEligible: true,
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.media'],
  channels: ['chat'],
  receivesWebhooks: false,
  manifest,
  async send(msg: OutboundMessage, ctx): Promise<SendResult> {
    // Refuses (permanently) a message with nothing to show; no network I/O.
    await mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
    return { providerMessageId: `webchat:${msg.messageId}`, status: 'delivered', providerStatus: 'delivered' };
  },
  async test() {
    return { ok: true, message: 'Web chat has no provider: messages are delivered through the realtime API.' };
  },
});

export default webchatConnector;
export type { WebchatConfig, WebchatSecrets };
