import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import http from 'node:http';
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

/**
 * Where the SDK's requests go instead of https://*.twilio.com, when the operator says so
 * (TWILIO_API_BASE_URL, read by core/config.ts and handed over by the composition root, never by
 * a tenant: connection config cannot name a host). For tests and benchmarks against a local
 * server that answers like Twilio's REST API; the SDK still builds every request itself (paths,
 * form encoding, auth), only the origin changes.
 */
let apiBaseUrl: URL | undefined;

export function setTwilioApiBaseUrl(url: string | undefined): void {
  apiBaseUrl = url ? new URL(url) : undefined;
  clients.clear();
}

/** https://api.twilio.com/2010-04-01/… → {base}/2010-04-01/… (the base's own path prefix kept). */
function redirected(uri: string): string {
  if (!apiBaseUrl) return uri;
  const u = new URL(uri);
  return apiBaseUrl.origin + apiBaseUrl.pathname.replace(/\/$/, '') + u.pathname + u.search;
}

class HeaderCapturingClient extends twilio.RequestClient {
  constructor(opts: RequestClient.RequestClientOptions) {
    super(opts);
    // The SDK builds a keep-alive agent for https only; a plain-http base URL (a local server) keeps its sockets too.
    (this as unknown as { axios: { defaults: { httpAgent?: http.Agent } } }).axios.defaults.httpAgent = new http.Agent({ keepAlive: true });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const res = await super.request(apiBaseUrl ? { ...opts, uri: redirected(opts.uri) } : opts);
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
