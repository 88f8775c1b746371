/**
 * The WebSocket clients of bench/fanout.ts, run in a child process (fork with an IPC channel) so
 * the load generator does not share the server's event loop. The parent sends one "open" message
 * with every client's subscription, waits for "opened", runs its load, then asks for "report".
 *
 * Per frame a client reads only what it measures, straight from the bytes (no JSON.parse of the
 * whole event): the event's createdAt (set by the database in the writing transaction, so
 * latency = now − commit-ish, a slight over-estimate) and its cursor (feed position), which
 * detects a repeat or an out-of-order frame: the server sends each client its events in feed order.
 */
import { WebSocket } from 'ws';

export interface ClientSpec {
  /** null: org-wide (a dashboard / agent inbox); else the one conversation it streams. */
  conversationId: string | null;
}
export interface OpenRequest {
  type: 'open';
  url: string;
  apiKey: string;
  clients: ClientSpec[];
}
export interface ClientReport {
  type: 'report';
  /** Frames received per client (index as in the open request), repeats and out-of-order included. */
  received: number[];
  /** Frames whose feed position was not after the client's previous one. */
  repeatedOrOutOfOrder: number;
  /** commit → frame, ms, one sample per frame. */
  latencies: Float64Array;
  closed: number;
  /** CPU time (user + system) this process spent since the reset, ms. */
  cpuMs: number;
}

const EVENT_FRAME = Buffer.from('{"type":"event"');
const CREATED = Buffer.from('"createdAt":"');
const CURSOR = Buffer.from('"cursor":"');

/** The string value after `key` (the first one: the event envelope's fields come before its data). */
function field(buf: Buffer, key: Buffer): string | undefined {
  const at = buf.indexOf(key);
  if (at < 0) return undefined;
  const start = at + key.length;
  const end = buf.indexOf(0x22, start);
  return buf.toString('latin1', start, end);
}

/** A cursor is base64url("tx.seq"); both fit a double for any database this runs against. */
function position(cursor: string): number[] {
  const [tx, seq] = Buffer.from(cursor, 'base64url').toString().split('.');
  return [Number(tx), Number(seq)];
}

async function open(req: OpenRequest): Promise<void> {
  const received = new Array<number>(req.clients.length).fill(0);
  let latencies = new Float64Array(1 << 20);
  let samples = 0;
  let disorder = 0;
  let closed = 0;
  let cpuFrom = process.cpuUsage();
  const sockets: WebSocket[] = [];

  const connect = (spec: ClientSpec, i: number) =>
    new Promise<void>((resolve, reject) => {
      const url = spec.conversationId ? `${req.url}?conversationId=${spec.conversationId}` : req.url;
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${req.apiKey}` }, perMessageDeflate: false });
      sockets.push(ws);
      let lastTx = 0;
      let lastSeq = 0;
      let ready = false;
      ws.on('message', (data: Buffer) => {
        if (!ready) {
          if (data.includes('"ready"')) {
            ready = true;
            resolve();
          }
          return;
        }
        if (data.indexOf(EVENT_FRAME) !== 0) return;
        const now = Date.now();
        received[i]++;
        const created = field(data, CREATED);
        if (created) {
          if (samples === latencies.length) {
            const bigger = new Float64Array(latencies.length * 2);
            bigger.set(latencies);
            latencies = bigger;
          }
          latencies[samples++] = now - Date.parse(created);
        }
        const cursor = field(data, CURSOR);
        if (cursor) {
          const [tx, seq] = position(cursor);
          if (tx < lastTx || (tx === lastTx && seq <= lastSeq)) disorder++;
          else [lastTx, lastSeq] = [tx, seq];
        }
      });
      ws.on('error', (err) => (ready ? undefined : reject(err)));
      ws.on('close', () => {
        closed++;
        if (!ready) reject(new Error('closed before ready'));
      });
    });

  // Connect in waves: thousands of simultaneous handshakes only measure the accept backlog.
  const WAVE = 100;
  for (let i = 0; i < req.clients.length; i += WAVE) {
    await Promise.all(req.clients.slice(i, i + WAVE).map((c, j) => connect(c, i + j)));
  }
  process.send!({ type: 'opened', count: sockets.length });

  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'reset') {
      // The warm-up's frames are not measured.
      received.fill(0);
      samples = 0;
      disorder = 0;
      cpuFrom = process.cpuUsage();
      process.send!({ type: 'reset' });
    } else if (msg.type === 'report') {
      const cpu = process.cpuUsage(cpuFrom);
      const report: ClientReport = { type: 'report', received, repeatedOrOutOfOrder: disorder, latencies: latencies.subarray(0, samples), closed, cpuMs: (cpu.user + cpu.system) / 1000 };
      process.send!(report);
    } else if (msg.type === 'close') {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
}

process.once('message', (msg: OpenRequest) => {
  open(msg).catch((err: Error) => {
    process.send!({ type: 'error', message: err.message });
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
