import { operations, type Operations } from './generated.ts';
import { SwitchboardError } from './errors.ts';
import { verifyWebhook, userHash } from './webhooks.ts';
import { connectRealtime, type RealtimeOptions, type RealtimeConnection } from './realtime.ts';

/**
 * The Switchboard client for app backends. Fetch-based (Node 20+, Deno, Bun, edge runtimes); every
 * resource method is generated from the API's route declarations (src/generated.ts), so the SDK
 * cannot drift from the API without a test failing.
 *
 *   const sb = new Switchboard({ apiKey: process.env.SWITCHBOARD_API_KEY, baseUrl: 'http://localhost:3000' });
 *   for await (const c of sb.conversations.list({ metadata: { unit: '4B' } })) console.log(c.id);
 */
export interface ClientOptions {
  apiKey: string;
  /** Default http://localhost:3000 (the embedded server). */
  baseUrl?: string;
  /** Per attempt; default 30 s. */
  timeoutMs?: number;
  /** Retries on 429, 5xx, network errors and timeouts; default 2. */
  maxRetries?: number;
  fetch?: typeof fetch;
  /**
   * With a platform key (sbp_live_…): the org to act on, sent as `Switchboard-Org` on every call
   * (the platform's own routes, /v1/platform/…, ignore it). `sb.withOrg(id)` gives such a client.
   */
  orgId?: string;
}

export interface RequestOptions {
  /** Sent on every POST; generated when omitted, and the same on each retry so a retried POST is applied once. */
  idempotencyKey?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

type OpId = keyof Operations;
type Response<K extends OpId> = Operations[K]['response'];
type Item<K extends OpId> = Response<K> extends { data?: Array<infer T> } ? T : never;

/** A list call: await it for one page, or iterate it for every item across pages. */
export type PagePromise<K extends OpId> = Promise<Response<K>> & AsyncIterable<Item<K>>;


type ParamTuple<K extends OpId> = (typeof operations)[K]['params'] extends readonly [] ? [] : (typeof operations)[K]['params'] extends readonly [string] ? [string] : (typeof operations)[K]['params'] extends readonly [string, string] ? [string, string] : string[];
type Method<K extends OpId> = (
  ...args: [
    ...ParamTuple<K>,
    ...((typeof operations)[K]['hasBody'] extends true ? [body: Operations[K]['body']] : []),
    ...((typeof operations)[K]['hasQuery'] extends true ? [query?: Operations[K]['query']] : []),
    options?: RequestOptions,
  ]
) => (typeof operations)[K]['list'] extends true ? PagePromise<K> : Promise<Response<K>>;
// The methods of one resource, typed from the generated operations.
type Resource<R extends string> = { [K in OpId as (typeof operations)[K]['resource'] extends R ? (typeof operations)[K]['name'] : never]: Method<K> };
type Resources = { [R in (typeof operations)[OpId]['resource']]: Resource<R> };

const RETRY_STATUSES = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Switchboard = SwitchboardClient & Resources;

class SwitchboardClient {
  readonly baseUrl: string;
  readonly orgId: string | undefined;
  readonly #options: ClientOptions;
  readonly #apiKey: string;
  readonly #opts: Required<Omit<ClientOptions, 'apiKey' | 'baseUrl' | 'orgId'>>;

  constructor(opts: ClientOptions) {
    if (!opts?.apiKey) throw new SwitchboardError('apiKey is required', 0, 'invalid_options');
    this.#options = opts;
    this.#apiKey = opts.apiKey;
    this.orgId = opts.orgId;
    this.baseUrl = (opts.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '');
    this.#opts = { timeoutMs: opts.timeoutMs ?? 30_000, maxRetries: opts.maxRetries ?? 2, fetch: opts.fetch ?? globalThis.fetch.bind(globalThis) };
    for (const [id, op] of Object.entries(operations)) {
      const resource = ((this as any)[op.resource] ??= {});
      resource[op.name] = (...args: unknown[]) => this.#call(id as OpId, args);
    }
  }

  /** The same client acting on one of the platform's orgs (a platform key's `Switchboard-Org`). */
  withOrg(orgId: string): Switchboard {
    return new Switchboard({ ...this.#options, orgId });
  }

  /** Standard Webhooks verification of a delivery we sent you (throws SwitchboardError `webhook_invalid`). */
  readonly webhooks = { verify: verifyWebhook };

  /** The identity hash the chat widget expects for `identify({ userId, userHash })`, from the web chat connection's identity secret. */
  readonly widget = { userHash };

  /** Events over /v1/realtime with cursor resume across disconnects. */
  readonly realtime = {
    connect: (options: Omit<RealtimeOptions, 'baseUrl' | 'mintToken'>): RealtimeConnection =>
      connectRealtime({
        ...options,
        baseUrl: this.baseUrl,
        mintToken: async () => ((await this.request('postV1RealtimeTokens', {}, options.conversationId ? { conversationId: options.conversationId } : {})) as { token: string }).token,
      }),
  };

  #call(id: OpId, args: unknown[]): unknown {
    const op = operations[id];
    const params = Object.fromEntries(op.params.map((p, i) => [p, String(args[i])]));
    let i = op.params.length;
    const body = op.hasBody ? args[i++] : undefined;
    const query = op.hasQuery ? (args[i++] as Record<string, unknown> | undefined) : undefined;
    const options = args[i] as RequestOptions | undefined;
    if (op.list) return this.#page(id, params, query, options);
    return this.request(id, params, body, query, options);
  }

  #page(id: OpId, params: Record<string, string>, query: Record<string, unknown> | undefined, options?: RequestOptions) {
    const first = this.request(id, params, undefined, query, options) as Promise<any>;
    const iterate = async function* (this: SwitchboardClient) {
      let page = await first;
      for (;;) {
        for (const item of page.data ?? []) yield item;
        if (!page.hasMore || !page.nextCursor) return;
        page = await this.request(id, params, undefined, { ...query, cursor: page.nextCursor }, options);
      }
    }.bind(this);
    return Object.assign(first, { [Symbol.asyncIterator]: iterate });
  }

  /** One operation by its OpenAPI operationId, with retries. Resource methods call this. */
  async request<K extends OpId>(id: K, params: Record<string, string>, body?: unknown, query?: Record<string, unknown>, options: RequestOptions = {}): Promise<Response<K>> {
    const op = operations[id];
    const url = new URL(this.baseUrl + op.path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(params[p] ?? '')));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (typeof v === 'object' && !Array.isArray(v)) for (const [sk, sv] of Object.entries(v)) url.searchParams.append(`${k}[${sk}]`, String(sv));
      else for (const one of [v].flat()) url.searchParams.append(k, String(one));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.#apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.orgId && !op.path.startsWith('/v1/platform')) headers['switchboard-org'] = this.orgId;
    if (op.method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? crypto.randomUUID();
    const maxRetries = options.maxRetries ?? this.#opts.maxRetries;
    for (let attempt = 0; ; attempt++) {
      let res: globalThis.Response | undefined;
      let failure: SwitchboardError;
      try {
        res = await this.#opts.fetch(url, {
          method: op.method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? this.#opts.timeoutMs),
        });
        if (res.ok) return (res.status === 204 ? undefined : await res.json()) as Response<K>;
        failure = await errorOf(res);
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError';
        failure = new SwitchboardError(timeout ? `${op.method} ${op.path} timed out` : `${op.method} ${op.path} failed: ${(err as Error).message}`, 0, timeout ? 'timeout' : 'network_error');
      }
      const retryable = failure.status === 0 || RETRY_STATUSES.has(failure.status);
      // 409 is retried only when it is the idempotency layer saying "still in progress", not a conflict.
      if (!retryable || attempt >= maxRetries || (failure.status === 409 && failure.code !== 'idempotency_in_progress')) throw failure;
      await sleep(retryDelay(attempt, res?.headers.get('retry-after')));
    }
  }
}

/** Retry-After (seconds or an HTTP date) when given; else exponential from 0.5 s with full jitter, capped at 8 s. */
export function retryDelay(attempt: number, retryAfter?: string | null): number {
  if (retryAfter) {
    const s = Number(retryAfter);
    const ms = Number.isFinite(s) ? s * 1000 : Date.parse(retryAfter) - Date.now();
    if (ms >= 0) return Math.min(ms, 60_000);
  }
  const cap = Math.min(8_000, 500 * 2 ** attempt);
  return cap / 2 + Math.random() * (cap / 2);
}

async function errorOf(res: globalThis.Response): Promise<SwitchboardError> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  let payload: any;
  try {
    payload = await res.json();
  } catch {
    payload = undefined;
  }
  const e = payload?.error;
  return new SwitchboardError(e?.message ?? `HTTP ${res.status}`, res.status, e?.code ?? `http_${res.status}`, e?.details, requestId);
}

export const Switchboard = SwitchboardClient as unknown as new (opts: ClientOptions) => Switchboard;
