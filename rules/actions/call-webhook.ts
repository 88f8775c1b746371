import { signStandardWebhook } from '../../connectors/kit/index.ts';
import { postJson } from '../../core/egress.ts';
import { AppError } from '../../core/errors.ts';
import { templated, type ExternalAction } from './types.ts';

/**
 * call_webhook: POSTs JSON to a URL, signed the Standard Webhooks way (webhook-id = the
 * idempotency key, stable across retries, so the receiver can drop repeats) with the rule's own
 * secret (`webhookSecret` on the rule). Non-2xx answers fail the action (the job retries).
 * The URL is the tenant's: it leaves through the egress guard (core/egress.ts) like outbound
 * webhooks do, so a refused address fails the action for good and is never contacted.
 */
export interface CallWebhookAction {
  type: 'call_webhook';
  url: string;
  /** Default: {rule, event}. String values are templated. */
  body?: Record<string, unknown>;
  timeoutMs?: number;
}

const defaultBody = (env: Parameters<ExternalAction['preview']>[1]) => ({
  rule: { id: env.rule.id, name: env.rule.name, version: env.rule.version },
  event: { id: env.context.event.id, type: env.context.event.type, createdAt: env.context.event.createdAt },
});

export const callWebhook: ExternalAction<CallWebhookAction> = {
  type: 'call_webhook',
  mode: 'external',
  description: 'POST a signed JSON body (Standard Webhooks headers) to a URL.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'url'],
    properties: {
      type: { const: 'call_webhook' },
      url: { ...templated, pattern: '^https?://' },
      body: { type: 'object', maxProperties: 50 },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 15_000, default: 15_000 },
    },
  },
  async preview(a, env) {
    return { url: a.url, body: a.body ?? defaultBody(env) };
  },
  async run(a, env) {
    const payload = JSON.stringify(a.body ?? defaultBody(env));
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await postJson(
      a.url,
      payload,
      {
        'webhook-id': env.idempotencyKey,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(env.webhookSecret, env.idempotencyKey, timestamp, payload),
      },
      { timeoutMs: a.timeoutMs ?? 15_000, allowPrivate: env.engine.config.webhooksAllowPrivate },
    );
    if (res.errorClass === 'egress_refused') throw new AppError('unprocessable', `call_webhook: the URL is not allowed (${res.error}).`);
    if (res.status === null) throw new Error(`call_webhook: request failed (${res.errorClass})`);
    if (res.status < 200 || res.status >= 300) {
      // 4xx other than 408/429 will not improve with a retry.
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new AppError('unprocessable', `call_webhook: the endpoint answered ${res.status}.`);
      }
      throw new Error(`call_webhook: the endpoint answered ${res.status}`);
    }
    return { log: { httpStatus: res.status, webhookId: env.idempotencyKey } };
  },
};
