import QuickBooksModule, { type QuickBooks as QuickBooksClient, type QuickBooksCallback } from 'node-quickbooks';
import { classifyHttpError, ConnectorError, type IntegrationContext } from '../kit/index.ts';
import { DEFAULT_MINOR_VERSION, type QuickBooksConfig, type QuickBooksSecrets } from './schemas.ts';

export type QuickBooksApiCtx = IntegrationContext<QuickBooksConfig, QuickBooksSecrets>;
export type { QuickBooksClient };
/** The callback a node-quickbooks call answers: (err, data, axios response). */
export type QuickBooksDone = QuickBooksCallback<unknown>;

/**
 * node-quickbooks' typings declare `export default QuickBooks`, but the package sets
 * `module.exports = QuickBooks`: imported from ESM, the default export is the class itself.
 */
const QuickBooks = QuickBooksModule as unknown as typeof QuickBooksClient;

/**
 * How long one read may take. The SDK's axios call has no timeout (plain fetch gave up after
 * undici's 300 s), and the poller polls its claimed connections one after another: a read Intuit
 * never answers must not hold the others back, nor outlast the poller's 5-minute lease.
 */
export const TIMEOUT_MS = 60_000;

/**
 * The company this connection acts for. It comes from Intuit's OAuth redirect (saved by the engine,
 * oauth.callbackConfig): without it nothing can be read, and only connecting the company fixes that.
 */
export function realmOf(ctx: Pick<QuickBooksApiCtx, 'config'>): string {
  const realmId = ctx.config.realmId;
  if (!realmId) {
    throw new ConnectorError('auth_failed', 'This QuickBooks connection has no company yet: connect the company (GET /v1/connections/{id}/oauth/authorize); Intuit names it on the redirect.', {
      retryable: false,
    });
  }
  return realmId;
}

/**
 * A node-quickbooks client for one call, with the engine's current access token. OAuth 2.0 is set on
 * the instance (bearer header), never with QuickBooks.setOauthVersion('2.0'), which would fetch
 * Intuit's discovery document. The client gets neither the client secret nor the refresh token:
 * refreshing (and saving the rotated refresh token) is the engine's. `debug` stays off: the SDK
 * would console.log every answer, customers' names, phones and emails included.
 */
async function clientFor(ctx: QuickBooksApiCtx): Promise<QuickBooksClient> {
  if (!ctx.auth) throw new ConnectorError('auth_failed', 'QuickBooks needs the engine-managed OAuth token (connect the company first).', { retryable: false });
  const realmId = realmOf(ctx);
  const minorVersion = String(ctx.config.minorVersion ?? DEFAULT_MINOR_VERSION);
  return new QuickBooks(ctx.secrets.clientId, '', await ctx.auth.accessToken(), false, realmId, ctx.config.environment === 'sandbox', false, minorVersion, '2.0');
}

interface AxiosLikeError {
  code?: unknown;
  response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
}
interface IntuitFault {
  type?: unknown;
  error?: unknown;
  Error?: unknown;
}

/** Intuit's fault, `{Fault: {Error: [...], type}}` (or lower case `fault`/`error` on 401s), if the body is one. */
function faultOf(body: unknown): IntuitFault | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const fault = (body as { Fault?: unknown; fault?: unknown }).Fault ?? (body as { fault?: unknown }).fault;
  return fault && typeof fault === 'object' ? (fault as IntuitFault) : undefined;
}
/** Fault types and codes are Intuit's identifiers (ValidationFault, 610): anything else is not repeated. */
const identifier = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v);
function faultCodes(fault: IntuitFault | undefined): string[] {
  const errors: unknown = fault?.Error ?? fault?.error;
  return Array.isArray(errors) ? errors.map((e) => (e as { code?: unknown } | null)?.code).filter(identifier) : [];
}
/** " (ValidationFault, code 610)": what a fault may say in our messages. */
function faultNote(fault: IntuitFault | undefined): string {
  const parts = [identifier(fault?.type) ? fault.type : undefined, ...faultCodes(fault).map((c) => `code ${c}`)].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * The SDK's failure as a ConnectorError. HTTP answers by status (401 → auth_failed with httpStatus
 * 401, so the engine's withAuthRetry refreshes the token and calls once more; 429 → rate_limited
 * with Retry-After; 5xx → vendor_unavailable; other 4xx → invalid_request); no answer →
 * vendor_unavailable; a Fault in a 200 answer (the SDK hands that body over as the error) →
 * invalid_request. Messages name the read, the fault type and Intuit's codes, never a Message or
 * Detail: Intuit's faults can quote the company's data. No `cause` either: axios errors carry the
 * request config, Authorization header included.
 */
function toConnectorError(err: unknown, what: string): ConnectorError {
  const e = (err ?? {}) as AxiosLikeError;
  const status = e.response?.status;
  if (typeof status === 'number') {
    const fault = faultOf(e.response?.data);
    const [providerCode] = faultCodes(fault);
    return classifyHttpError(status, e.response?.headers, { message: `QuickBooks answered HTTP ${status} to GET ${what}${faultNote(fault)}`, ...(providerCode ? { providerCode } : {}) });
  }
  const fault = faultOf(err);
  if (fault) {
    const [providerCode] = faultCodes(fault);
    return new ConnectorError('invalid_request', `QuickBooks answered GET ${what} with a fault${faultNote(fault)}`, providerCode ? { providerCode } : {});
  }
  // The error's code only (ECONNREFUSED, ENOTFOUND…): a message can spell out the request, headers included (nock's do).
  return new ConnectorError('vendor_unavailable', `QuickBooks could not be reached: ${typeof e.code === 'string' && e.code ? e.code : 'no answer'}`);
}

/**
 * The one way the connector reads the Accounting API (fetch_entity, CDC polling): `read` makes one
 * node-quickbooks call on a client for this connection, and the answer's JSON body comes back as
 * Intuit sent it (taken from the SDK's response, not from its `data`, which the entity getters
 * unwrap to the entity or, without one, the whole body). Failures are classified by
 * toConnectorError; `what` names the read in their messages.
 *
 * The SDK passes no options to axios, so neither ctx.signal nor a timeout reaches the request: on an
 * abort, or after TIMEOUT_MS, the read is given up (timeout for the deadline, vendor_unavailable for
 * an abort, as with fetch) and a late answer is dropped, but the HTTP request itself runs on.
 */
export async function qbRead<T>(ctx: QuickBooksApiCtx, what: string, read: (client: QuickBooksClient, done: QuickBooksDone) => void): Promise<T> {
  const client = await clientFor(ctx);
  const signal = ctx.signal;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      try {
        outcome();
      } catch (err) {
        reject(err);
      }
    };
    const timer = setTimeout(() => finish(() => reject(new ConnectorError('timeout', `QuickBooks did not answer GET ${what} within ${TIMEOUT_MS / 1000} s`))), TIMEOUT_MS);
    timer.unref();
    const onAbort = () => finish(() => reject(new ConnectorError('vendor_unavailable', `QuickBooks could not be reached: GET ${what} was aborted`)));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done: QuickBooksDone = (err, _data, res) =>
      finish(() => {
        const body: unknown = (res as { data?: unknown } | undefined)?.data;
        // The SDK spots a 200's fault by `Fault.Error` only; Intuit also writes `fault`/`error`.
        if (err || faultOf(body)) return reject(toConnectorError(err ?? body, what));
        // A 200 that is not JSON (a proxy's HTML page): nothing to read, and likely passing.
        if (!body || typeof body !== 'object') return reject(new ConnectorError('vendor_unavailable', `QuickBooks answered GET ${what} without a JSON body`));
        resolve(body as T);
      });
    try {
      read(client, done);
    } catch (err) {
      finish(() => reject(err));
    }
  });
}
