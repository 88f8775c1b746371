import { Worker } from 'node:worker_threads';

/**
 * A local HTTP server that answers like Twilio's Messages API, for benchmarks: the official
 * `twilio` SDK is pointed at it with TWILIO_API_BASE_URL. POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json → 201 with the documented Message resource
 * (sid SM…, status queued, direction outbound-api, the To / From / Body it was sent). It runs in
 * its own thread so answering does not take the engine's event loop, and records when each
 * request arrived (epoch ms) with its From and Body.
 */
export interface Receipt {
  at: number;
  from: string;
  to: string;
  body: string;
}

export interface FakeTwilio {
  url: string;
  count(): Promise<number>;
  receipts(): Promise<Receipt[]>;
  close(): Promise<void>;
}

// Plain JS: a worker thread evaluates it without the TypeScript loader.
const SERVER = `
const http = require('node:http');
const crypto = require('node:crypto');
const { parentPort } = require('node:worker_threads');
const receipts = [];
const now = () => performance.timeOrigin + performance.now();
const rfc2822 = (d) => d.toUTCString().replace('GMT', '+0000');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    const m = /^\\/2010-04-01\\/Accounts\\/(AC[0-9a-fA-F]{32})\\/Messages\\.json$/.exec(req.url);
    if (req.method !== 'POST' || !m) {
      const body = JSON.stringify({ code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      return res.end(body);
    }
    const p = new URLSearchParams(Buffer.concat(chunks).toString());
    const accountSid = m[1];
    const sid = 'SM' + crypto.randomBytes(16).toString('hex');
    const date = rfc2822(new Date());
    receipts.push({ at, from: p.get('From') || '', to: p.get('To') || '', body: p.get('Body') || '' });
    const body = JSON.stringify({
      account_sid: accountSid, api_version: '2010-04-01', body: p.get('Body'), date_created: date, date_sent: null, date_updated: date,
      direction: 'outbound-api', error_code: null, error_message: null, from: p.get('From'), messaging_service_sid: p.get('MessagingServiceSid'),
      num_media: String(p.getAll('MediaUrl').length), num_segments: '1', price: null, price_unit: 'USD', sid, status: 'queued',
      subresource_uris: { media: '/2010-04-01/Accounts/' + accountSid + '/Messages/' + sid + '/Media.json' },
      to: p.get('To'), uri: '/2010-04-01/Accounts/' + accountSid + '/Messages/' + sid + '.json',
    });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (msg) => {
  if (msg === 'count') parentPort.postMessage({ count: receipts.length });
  if (msg === 'receipts') parentPort.postMessage({ receipts });
  if (msg === 'close') server.close(() => parentPort.postMessage({ closed: true }));
});
`;

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const worker = new Worker(SERVER, { eval: true });
  const ask = <T>(msg: string, key: string) =>
    new Promise<T>((resolve) => {
      const on = (reply: Record<string, unknown>) => {
        if (!(key in reply)) return;
        worker.off('message', on);
        resolve(reply[key] as T);
      };
      worker.on('message', on);
      worker.postMessage(msg);
    });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => ask<number>('count', 'count'),
    receipts: () => ask<Receipt[]>('receipts', 'receipts'),
    async close() {
      await ask('close', 'closed');
      await worker.terminate();
    },
  };
}
