import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';

/**
 * Twilio clients are kept per account + token so connections reuse sockets (keep-alive) instead
 * of a TLS handshake per message. The SDK's exceptions drop the response headers, and Retry-After
 * lives there: each call runs in an AsyncLocalStorage scope and the client records the headers of
 * its last response into that scope, which keeps concurrent sends on one client apart.
 */
export interface CallScope {
  headers?: Record<string, unknown>;
}

const scope = new AsyncLocalStorage<CallScope>();

class HeaderCapturingClient extends twilio.RequestClient {
  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const res = await super.request(opts);
    const current = scope.getStore();
    if (current) current.headers = res.headers as Record<string, unknown>;
    return res;
  }
}

const MAX_CLIENTS = 256;
const clients = new Map<string, twilio.Twilio>();

export function twilioClient(accountSid: string, authToken: string): twilio.Twilio {
  const key = accountSid + ':' + createHash('sha256').update(authToken).digest('base64url');
  let client = clients.get(key);
  if (client) {
    clients.delete(key); // re-inserted below: Map order doubles as least-recently-used order
  } else {
    // autoRetry off: retries belong to the engine's send queue (backoff, Retry-After, never twice for permanent errors).
    client = twilio(accountSid, authToken, { autoRetry: false, httpClient: new HeaderCapturingClient({ keepAlive: true }) });
  }
  clients.set(key, client);
  if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  return client;
}

/** Runs one SDK call; a failure is converted by `convert`, which also gets the last response's headers. */
export async function callTwilio<T>(call: () => Promise<T>, convert: (err: unknown, headers?: Record<string, unknown>) => Error): Promise<T> {
  const store: CallScope = {};
  try {
    return await scope.run(store, call);
  } catch (err) {
    throw convert(err, store.headers);
  }
}
