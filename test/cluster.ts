import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { waitFor } from './wait.ts';

/**
 * Pieces of the multi-process test (test/multi-process.test.ts): a WebSocket client that keeps
 * every frame, a webhook receiver that keeps every payload, a bounded-concurrency load runner and
 * a /v1/sync reader that pages from the start.
 */

export interface RealtimeClient {
  /** Every event frame's event, in arrival order (repeats kept, so a test can count them). */
  events: { id: string; type: string; subjectId: string | null }[];
  closed: boolean;
  close(): void;
}

export async function realtimeClient(baseUrl: string, apiKey: string): Promise<RealtimeClient> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/v1/realtime', { headers: { authorization: `Bearer ${apiKey}` } });
  const client: RealtimeClient = { events: [], closed: false, close: () => ws.terminate() };
  let ready = false;
  ws.on('message', (d) => {
    const frame = JSON.parse(String(d));
    if (frame.type === 'ready') ready = true;
    if (frame.type === 'event') client.events.push({ id: frame.event.id, type: frame.event.type, subjectId: frame.event.subjectId });
  });
  ws.on('close', () => (client.closed = true));
  // A socket whose process is killed errors; that is the test's doing, not a failure.
  ws.on('error', () => {});
  await waitFor(`the ready frame from ${baseUrl}`, () => ready || client.closed, 15_000, 20);
  if (!ready) throw new Error(`the WebSocket to ${baseUrl} closed before it was ready`);
  return client;
}

export interface Receiver {
  url: string;
  /** Payload ids (= event ids) received, repeats kept. */
  ids: string[];
  close(): Promise<void>;
}

/** A local webhook endpoint answering 200 to everything. */
export async function webhookReceiver(): Promise<Receiver> {
  const ids: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        ids.push(JSON.parse(body).id);
      } catch {}
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    ids,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Runs task(i) for i in [0, n) with at most `inFlight` running at once. */
export async function runConcurrently(n: number, inFlight: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, inFlight) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

export interface FeedEvent {
  id: string;
  type: string;
  subjectId: string | null;
  cursor: string;
  data: any;
}

/**
 * The whole feed from the start, paged with nextCursor as a client syncs (small pages, so the
 * cursor is crossed many times). A page whose events an older running transaction holds back
 * simply ends early; the caller polls until what it expects is there.
 */
export async function readFeed(baseUrl: string, apiKey: string, pageSize = 100): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  let cursor = '';
  for (;;) {
    const res = await fetch(`${baseUrl}/v1/sync?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (res.status !== 200) throw new Error(`GET /v1/sync answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { events: FeedEvent[]; nextCursor: string; hasMore: boolean };
    out.push(...page.events);
    if (!page.hasMore) return out;
    cursor = page.nextCursor;
  }
}

/** Values that occur more than once. */
export function repeats<T>(values: T[]): T[] {
  const seen = new Set<T>();
  const twice = new Set<T>();
  for (const v of values) (seen.has(v) ? twice : seen).add(v);
  return [...twice];
}
