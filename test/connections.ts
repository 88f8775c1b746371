import twilioSdk from 'twilio';
import type { Harness } from './harness.ts';
import { waitFor } from './wait.ts';

/**
 * Shared by the connector-platform tests: a Twilio connection and requests signed the way Twilio
 * signs them, by the official SDK (never by our own helper, so the two are checked against each other).
 */
export const ACCOUNT_SID = 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b';
export const AUTH_TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
export const OUR_NUMBER = '+14155550199';
export const CUSTOMER = '+14155550123';

/**
 * wire: false by default: a test about something else does not talk to Twilio on connect (wiring
 * on connect is core/provisioning/connect-wiring.test.ts's subject).
 */
export async function twilioConnection(h: Harness, apiKey: string, extra: { sandbox?: boolean; config?: Record<string, unknown>; wire?: boolean } = {}) {
  const res = await h.call(apiKey, 'POST', '/v1/connections', {
    wire: extra.wire ?? false,
    connector: 'twilio',
    name: 'Twilio',
    config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER], ...extra.config },
    secrets: { authToken: AUTH_TOKEN },
    sandbox: extra.sandbox ?? false,
  });
  if (res.status !== 201) throw new Error(`connection not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; inboundUrl: string };
}

/** Twilio's Message resource (the 201 to POST …/Messages.json) in its documented shape: it echoes To, From and Body. */
export const twilioMessageResource = (sid: string, m: { to?: string; from?: string; body?: string; numMedia?: number } = {}) => ({
  account_sid: ACCOUNT_SID,
  api_version: '2010-04-01',
  body: m.body ?? 'x',
  date_created: 'Fri, 27 Nov 2026 14:32:01 +0000',
  date_sent: null,
  date_updated: 'Fri, 27 Nov 2026 14:32:01 +0000',
  direction: 'outbound-api',
  error_code: null,
  error_message: null,
  from: m.from ?? OUR_NUMBER,
  messaging_service_sid: null,
  num_media: String(m.numMedia ?? 0),
  num_segments: '1',
  price: null,
  price_unit: 'USD',
  sid,
  status: 'queued',
  subresource_uris: { media: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media.json` },
  to: m.to ?? CUSTOMER,
  uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`,
});

export const formParams = (body: string): Record<string, string> => Object.fromEntries(new URLSearchParams(body));

/** POSTs form params to a URL with X-Twilio-Signature computed by the twilio SDK over `signedUrl` (default: the URL itself). */
export async function postTwilio(
  url: string,
  params: Record<string, string>,
  opts: { token?: string; signedUrl?: string; headers?: Record<string, string>; signature?: string | null } = {},
) {
  const signature = opts.signature === undefined ? twilioSdk.getExpectedTwilioSignature(opts.token ?? AUTH_TOKEN, opts.signedUrl ?? url, params) : opts.signature;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
      ...opts.headers,
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** What an org has stored, counted as the owner of the data sees it (through RLS, in its tenant). */
export async function stored(h: Harness, orgId: string) {
  return h.engine.tenant(orgId, async (tx) => {
    const count = async (q: PromiseLike<{ n: string | number }[]>) => Number((await q)[0]!.n);
    return {
      messages: await count(tx.trx('messages').count({ n: '*' })),
      conversations: await count(tx.trx('conversations').count({ n: '*' })),
      contacts: await count(tx.pii('pii.contacts').count({ n: '*' })),
      events: await count(tx.trx('events').count({ n: '*' })),
      rawInbound: await count(tx.trx('raw_inbound').count({ n: '*' })),
    };
  });
}

type SyncEvent = { type: string; data: any; subjectId: string | null; createdAt: string };

async function readSync(h: Harness, apiKey: string): Promise<SyncEvent[]> {
  const out = [];
  let cursor: string | undefined;
  for (;;) {
    const res = await h.call(apiKey, 'GET', `/v1/sync?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...res.body.events);
    if (!res.body.hasMore) return out;
    cursor = res.body.nextCursor;
  }
}

/**
 * Every event of the org from /v1/sync. The feed shows a transaction's events once every older
 * transaction has settled (a concurrent one can hold them back a moment), so a test names what it
 * expects with `until` and the feed is polled until it is there.
 */
export async function syncEvents(h: Harness, apiKey: string, until?: (events: SyncEvent[]) => boolean): Promise<SyncEvent[]> {
  let last: SyncEvent[] = [];
  if (!until) return readSync(h, apiKey);
  await waitFor('the expected events in /v1/sync', async () => until((last = await readSync(h, apiKey))), 5_000, 20);
  return last;
}

export const hasEvent = (type: string, n = 1) => (events: SyncEvent[]) => events.filter((e) => e.type === type).length >= n;
