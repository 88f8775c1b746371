import type { ConnectorSpec } from './define.ts';
import { ConnectorError } from './errors.ts';
import { headerOf } from './request.ts';
import { signStandardWebhook, verifyStandardWebhook } from './signatures/index.ts';

/**
 * A small connector used by the kit's own tests, written the way a third party would: a JSON
 * webhook signed with Standard Webhooks that batches messages and statuses. Returns a fresh spec
 * each call so tests can break one part at a time.
 */
export interface AcmeConfig {
  region?: string;
  apiVersion?: number;
}

export interface AcmeSecrets {
  webhookSecret: string;
}

export function acmeSpec(version = '1.2.0'): ConnectorSpec<AcmeConfig, AcmeSecrets> {
  return {
    id: 'acme-sms',
    version,
    kind: 'channel',
    displayName: 'Acme SMS',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { region: { type: 'string', enum: ['us', 'eu'] }, apiVersion: { type: 'integer' } },
    },
    secretsSchema: { type: 'object', required: ['webhookSecret'], properties: { webhookSecret: { type: 'string', minLength: 1 } } },
    capabilities: ['messaging.send', 'messaging.receive', 'messaging.status'],
    manifest: {
      inbound: [
        {
          name: 'messages',
          match: "body.type = 'batch' and $count(body.messages) > 0",
          each: "body.messages.{ 'm': $, 'account': $$.body.account }",
          emit: 'message',
          fields: {
            channel: "'sms'",
            from: { kind: "'phone'", value: 'm.from' },
            to: { address: 'account' },
            providerMessageId: 'm.id',
            body: 'm.text',
            media: "m.media.{ 'url': href, 'contentType': mime }",
            metadata: { region: '$config.region' },
          },
        },
        {
          name: 'statuses',
          match: "body.type = 'batch' and $count(body.statuses) > 0",
          each: 'body.statuses',
          emit: 'status',
          fields: { providerMessageId: 'id', providerStatus: 'state', errorCode: 'error' },
        },
        { name: 'ping', match: "body.type = 'ping'", emit: 'ignore' },
      ],
      statusMap: { ACCEPTED: 'queued', DELIVERED: 'delivered', FAILED: 'failed' },
      errorMap: { E100: { reason: 'recipient_opted_out' }, E500: { reason: 'vendor_unavailable' }, E900: { reason: 'filtered', retryable: true } },
      outbound: { message: "{ 'destination': to.value, 'text': body, 'region': $config.region, 'images': media ? [media.url] }" },
      configMigrations: [{ from: 0, to: 1, transform: "$merge([$, { 'apiVersion': 1 }])" }],
    },
    verify(req, ctx) {
      return verifyStandardWebhook({
        secret: ctx.secrets.webhookSecret,
        id: headerOf(req.headers, 'webhook-id'),
        timestamp: headerOf(req.headers, 'webhook-timestamp'),
        signature: headerOf(req.headers, 'webhook-signature'),
        body: req.body,
        now: ctx.now?.() ?? Date.now(),
      });
    },
    sign(req, ctx) {
      const ts = Math.floor((ctx.now?.() ?? Date.now()) / 1000);
      const id = headerOf(req.headers, 'webhook-id') ?? 'msg_fixture';
      return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(ctx.secrets.webhookSecret, id, ts, req.body) };
    },
    async send() {
      throw new ConnectorError('vendor_unavailable', 'the test connector never sends');
    },
  };
}

export const ACME_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
