import assert from 'node:assert/strict';
import type { Harness } from '../../test/harness.ts';
import { loadFixture } from '../kit/harness.ts';
import { signMeta } from '../kit/index.ts';

/** Shared by the WhatsApp tests that run through a whole engine: a connection and notifications signed as Meta signs them. */
export const APP_SECRET = 'app-secret-7c6b5a4938271605f4e3d2c1';
export const VERIFY_TOKEN = 'verify-token-2f3e4d5c';
export const PHONE_NUMBER_ID = '106540352242922';
export const ACCESS_TOKEN = 'EAAG-token-6a5b4c3d2e1f';

export async function whatsappConnection(h: Harness): Promise<{ orgId: string; apiKey: string; id: string }> {
  const { orgId, apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'whatsapp',
    name: 'WhatsApp main',
    wire: false,
    config: { phoneNumberId: PHONE_NUMBER_ID, verifyToken: VERIFY_TOKEN },
    secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { orgId, apiKey, id: res.body.id };
}

/** POSTs a notification to the connection's receive URL, signed with the app secret unless told otherwise. */
export function postNotification(h: Harness, connectionId: string, body: string, signature: string | null = signMeta(APP_SECRET, body)) {
  return fetch(`${h.baseUrl}/v1/receive/${connectionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    body,
  });
}

export const fixtureBody = (name: string) => loadFixture(new URL(`./fixtures/${name}.json`, import.meta.url).pathname).request.body as string;

/** A statuses notification for one of our messages, in Meta's shape. */
export function statusNotification(wamid: string, status: string, errorCode?: number): string {
  const errors = errorCode ? { errors: [{ code: errorCode, title: 'error', message: 'error' }] } : {};
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
      statuses: [{ id: wamid, status, timestamp: '1764254500', recipient_id: '14155550123', ...errors }],
    } }] }],
  });
}
