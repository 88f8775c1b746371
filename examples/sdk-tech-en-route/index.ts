import http from 'node:http';
import { Switchboard, verifyWebhook } from '../../sdk/src/index.ts';

/**
 * "Tech en route" from an app's own backend, with the SDK:
 *   1. the app dispatches a job (POST /jobs/:id/dispatch here) → we text the customer;
 *   2. the customer's reply comes back as a verified Switchboard webhook → the app logs it.
 *
 *   npm start                                   # in another terminal: prints the demo API key
 *   SWITCHBOARD_API_KEY=sb_live_… node --import tsx examples/sdk-tech-en-route/index.ts
 *   curl -X POST localhost:4000/jobs/J-1042/dispatch -d '{"phone":"+14155550100","tech":"Sam"}'
 */
const sb = new Switchboard({ apiKey: process.env.SWITCHBOARD_API_KEY ?? '', baseUrl: process.env.SWITCHBOARD_URL ?? 'http://localhost:3000' });
const PORT = Number(process.env.PORT ?? 4000);

// Our webhook endpoint, subscribed once at start; the secret is shown only in this answer.
const sub: any = await sb.subscriptions.create({ url: `http://127.0.0.1:${PORT}/switchboard-webhooks`, eventTypes: ['message.created'] } as any);

const read = (req: http.IncomingMessage) => new Promise<string>((r) => {
  let body = '';
  req.on('data', (d) => (body += d)).on('end', () => r(body));
});

http
  .createServer(async (req, res) => {
    try {
      const body = await read(req);
      const dispatch = /^\/jobs\/([\w-]+)\/dispatch$/.exec(req.url ?? '');
      if (req.method === 'POST' && dispatch) {
        const { phone, tech } = JSON.parse(body || '{}');
        const msg: any = await sb.messages.create({
          channel: 'sms',
          to: { handle: { kind: 'phone', value: phone } },
          body: `${tech} is on the way for job ${dispatch[1]}. Reply here if anything changed.`,
          metadata: { job: dispatch[1] },
        } as any);
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId: msg.id }));
      } else if (req.method === 'POST' && req.url === '/switchboard-webhooks') {
        // Verify over the raw bytes before trusting anything in them.
        const event = await verifyWebhook(body, req.headers as Record<string, string>, sub.secret);
        const m = event.data?.message;
        if (m?.direction === 'inbound') console.log(`reply in conversation ${event.conversationId}: ${m.body}`);
        res.writeHead(204).end();
      } else res.writeHead(404).end();
    } catch (err) {
      res.writeHead(400).end(String((err as Error).message));
    }
  })
  .listen(PORT, () => console.log(`tech-en-route app on http://127.0.0.1:${PORT} (webhook subscription ${sub.id})`));
