import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  json: any;
  /** The status the receiver answered. */
  status: number;
}

export type Responder = (req: Omit<Received, 'status'>, index: number) => { status: number; headers?: Record<string, string>; body?: string };

export interface Receiver {
  url: string;
  received: Received[];
  respond: Responder;
  waitFor(pred: (all: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const self: Receiver = {
    url: '',
    received,
    respond,
    async waitFor(pred, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > until) throw new Error(`receiver: condition not met in ${timeoutMs} ms (${received.length} requests)`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const r = { path: req.url ?? '/', headers: req.headers as Record<string, string>, body, json };
      const out = self.respond(r, received.length);
      received.push({ ...r, status: out.status });
      res.writeHead(out.status, { 'content-type': 'text/plain', ...out.headers });
      res.end(out.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}
