import { describe, it, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { cliEnv, runCli, startCli, type CliEnv, type Server } from '../cli/testing.ts';
import { waitFor } from '../test/wait.ts';
import { formParams, postTwilio } from '../test/connections.ts';
import { Switchboard, SwitchboardError, verifyWebhook, userHash, type RealtimeEvent } from './src/index.ts';
import { generate } from './generate.ts';
import { GENERATED } from './generate.ts';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The SDK against a real `switchboard start` (the README's quickstart), plus small local servers
 * where the behaviour under test is the client's own (429 + Retry-After, a slow answer).
 */
let env: CliEnv;
let server: Server;
let sb: Switchboard;
let apiKey: string;
const CUSTOMER = '+14155550199';


/** A local HTTP server; `handle` answers each request. */
async function localServer(handle: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void) {
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handle(req, body, res));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

// A real `switchboard start` in either mode (embedded: PGlite; with DATABASE_URL/REDIS_URL set: a
// fresh PostgreSQL database and Redis). The org is made as an app would: a platform (CLI) creates
// it by API through the SDK, and installs a sandbox Twilio connection in it with Switchboard-Org.
let platformKey: string;
let orgId: string;
let inboundUrl: string;
describe('SDK against a running server (both modes)', () => {
  beforeAll(async () => {
    env = await cliEnv();
    // The webhook receiver below is a plain-http localhost server: allowed by default only embedded.
    server = await startCli({ ...env.env, WEBHOOKS_ALLOW_PRIVATE: 'true' }, 240_000);
    const made = await runCli(['platform', 'create', '--name', 'SDK tests', '--json'], env.env);
    assert.equal(made.code, 0, made.stderr);
    platformKey = JSON.parse(made.stdout).apiKey;
    const platform = new Switchboard({ apiKey: platformKey, baseUrl: server.url });
    const created: any = await platform.platform.orgs({ name: 'Tech en route' } as any);
    ({ apiKey } = created);
    orgId = created.org.id;
    const conn: any = await platform.withOrg(orgId).connections.create({
      connector: 'twilio', name: 'Twilio (sandbox)', sandbox: true,
      config: { accountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', fromNumbers: ['+14155550100'] }, secrets: { authToken: '5d4c3b2a19f8e7d6c5b4a39281706f5e' },
    } as any);
    assert.equal(conn.sandbox, true);
    inboundUrl = conn.inboundUrl;
    sb = new Switchboard({ apiKey, baseUrl: server.url });
  });
  afterAll(async () => {
    await server?.stop();
    await env?.dispose();
  });

  it('creates a contact and sends a sandbox SMS that reaches delivered', async () => {
    const contact: any = await sb.contacts.create({ name: 'Dana Tenant', handles: [{ kind: 'phone', value: CUSTOMER }] } as any);
    assert.match(contact.id, /^[0-9a-f-]{36}$/);
    const msg: any = await sb.messages.create({ channel: 'sms', to: { contactId: contact.id }, body: 'Your technician is on the way.' } as any);
    assert.equal(msg.status, 'queued');
    const delivered = await waitFor('the sandbox delivered status', async () => {
      const m: any = await sb.messages.get(msg.id);
      return m.status === 'delivered' ? m : null;
    }, 20_000, 100);
    assert.equal(delivered.conversationId, msg.conversationId);
  });

  it('iterates 250 conversations across pages with for await', async () => {
    for (let i = 0; i < 250; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          sb.messages.create({ direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: `resident-${i + j}` } }, body: `hello ${i + j}`, metadata: { unit: 'P9' } } as any),
        ),
      );
    }
    const ids: string[] = [];
    for await (const c of sb.conversations.list({ metadata: { unit: 'P9' }, limit: 40 })) ids.push((c as any).id);
    assert.equal(ids.length, 250);
    assert.equal(new Set(ids).size, 250, 'each conversation once across pages');
    const first: any = await sb.conversations.list({ metadata: { unit: 'P9' }, limit: 40 });
    assert.equal(first.data.length, 40);
    assert.equal(first.hasMore, true);
  });

  it('receives a webhook and verifies it; a tampered body or a wrong secret is refused', async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = await localServer((req, body, res) => {
      got.push({ headers: req.headers, body });
      res.end('ok');
    });
    try {
      const sub: any = await sb.subscriptions.create({ url: `${receiver.url}/hooks`, eventTypes: ['contact.created'] } as any);
      assert.match(sub.secret, /^whsec_/);
      const contact: any = await sb.contacts.create({ name: 'Webhook Person', handles: [{ kind: 'email', value: 'hook@example.com' }] } as any);
      const delivery = (await waitFor('the webhook', () => got.find((g) => g.body.includes(contact.id)), 20_000, 100))!;
      const event = await verifyWebhook(delivery.body, delivery.headers as Record<string, string>, sub.secret);
      assert.equal(event.type, 'contact.created');
      await assert.rejects(verifyWebhook(delivery.body.replace('contact.created', 'contact.deleted'), delivery.headers as Record<string, string>, sub.secret), { code: 'webhook_invalid' });
      await assert.rejects(verifyWebhook(delivery.body, delivery.headers as Record<string, string>, 'whsec_' + Buffer.alloc(24, 1).toString('base64')), { code: 'webhook_invalid' });
      const stale = new Date(Date.now() + 10 * 60_000);
      await assert.rejects(verifyWebhook(delivery.body, delivery.headers as Record<string, string>, sub.secret, { now: stale }), /tolerance/);
    } finally {
      await receiver.close();
    }
  });

  it('realtime: after a disconnect it resumes from its cursor, with no gap and no duplicate', async () => {
    const sockets: WebSocket[] = [];
    class Tracked extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const events: RealtimeEvent[] = [];
    let readies = 0;
    const conn = sb.realtime.connect({ onEvent: (e) => events.push(e), onReady: () => readies++, WebSocket: Tracked as any, reconnectMs: 200 });
    try {
      await waitFor('live', () => readies >= 1, 20_000, 50);
      const mine = (e: RealtimeEvent) => e.type === 'contact.created' && String((e.data as any).contact?.name ?? '').startsWith('RT ');
      await sb.contacts.create({ name: 'RT 1' } as any);
      await waitFor('RT 1', () => events.filter(mine).length >= 1, 20_000, 50);
      sockets[0].terminate(); // the network drops
      for (const n of [2, 3, 4]) await sb.contacts.create({ name: `RT ${n}` } as any);
      await waitFor('RT 2..4 after the reconnection', () => events.filter(mine).length >= 4, 20_000, 50);
      assert.ok(sockets.length >= 2, 'it reconnected');
      const names = events.filter(mine).map((e) => (e.data as any).contact.name);
      assert.deepEqual(names, ['RT 1', 'RT 2', 'RT 3', 'RT 4']);
      assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'no event twice');
    } finally {
      conn.close();
    }
  });

  it('a 422 surfaces as a typed error with its code', async () => {
    const phone = '+14155550123';
    await sb.consents.create({ handle: { kind: 'phone', value: phone }, channel: 'sms', status: 'opted_out', source: 'api' } as any);
    let refused: unknown;
    // The one confirmation text an opt-out allows may pass; the next is refused.
    for (let i = 0; i < 2 && !refused; i++) {
      try {
        await sb.messages.create({ channel: 'sms', to: { handle: { kind: 'phone', value: phone } }, body: 'Promo' } as any);
      } catch (err) {
        refused = err;
      }
    }
    assert.ok(refused instanceof SwitchboardError, String(refused));
    assert.equal(refused.status, 422);
    assert.equal(refused.code, 'recipient_opted_out');
  });

  it('a POST that timed out is retried with the same Idempotency-Key and applied once', async () => {
    let calls = 0;
    const keys: string[] = [];
    // A proxy in front of the real server whose first answer comes too late for the client.
    const proxy = await localServer(async (req, body, res) => {
      calls++;
      keys.push(String(req.headers['idempotency-key']));
      const upstream = await fetch(server.url + req.url, { method: req.method, headers: { authorization: String(req.headers.authorization), 'content-type': 'application/json', 'idempotency-key': String(req.headers['idempotency-key']) }, body: body || undefined });
      const text = await upstream.text();
      if (calls === 1) await new Promise((r) => setTimeout(r, 1500));
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
    });
    try {
      const slow = new Switchboard({ apiKey, baseUrl: proxy.url, timeoutMs: 700, maxRetries: 2 });
      const c: any = await slow.contacts.create({ name: 'Once Only', handles: [{ kind: 'email', value: 'once@example.com' }] } as any);
      assert.equal(calls, 2);
      assert.equal(keys[0], keys[1]);
      const found: any[] = [];
      for await (const x of sb.contacts.list({ limit: 100 } as any)) if ((x as any).name === 'Once Only') found.push(x);
      assert.equal(found.length, 1, 'the contact exists once');
      assert.equal(found[0].id, c.id);
    } finally {
      await proxy.close();
    }
  });

  it('the examples/ app runs: a dispatched job texts the customer, and the reply arrives as a verified webhook it logs', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const app = spawn(process.execPath, ['--import', 'tsx', 'examples/sdk-tech-en-route/index.ts'], {
      cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
      env: { ...process.env, SWITCHBOARD_API_KEY: apiKey, SWITCHBOARD_URL: server.url, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    app.stdout.on('data', (d) => (out += d));
    app.stderr.on('data', (d) => (out += d));
    try {
      await waitFor('the example app to listen', () => out.includes('tech-en-route app on'), 60_000, 100);
      const dispatched = await fetch(`http://127.0.0.1:${port}/jobs/J-1042/dispatch`, { method: 'POST', body: JSON.stringify({ phone: '+14155550177', tech: 'Sam' }) });
      assert.equal(dispatched.status, 202, out);
      const { messageId } = await dispatched.json();
      const sent: any = await sb.messages.get(messageId);
      assert.deepEqual([sent.channel, sent.body, sent.metadata?.job], ['sms', 'Sam is on the way for job J-1042. Reply here if anything changed.', 'J-1042']);
      // The customer answers once the text is out (the send records which of our numbers it left
      // from; a reply to that number threads into the same conversation).
      await waitFor('the dispatch SMS to be sent', async () => ['sent', 'delivered'].includes(((await sb.messages.get(messageId)) as any).status), 30_000, 100);
      // Twilio's signed inbound webhook (its documented form fields) to our connection.
      const fixture = formParams(JSON.parse(fs.readFileSync(new URL('../connectors/twilio/fixtures/inbound-sms.json', import.meta.url), 'utf8')).request.body);
      const hook = await postTwilio(inboundUrl, { ...fixture, From: '+14155550177', To: '+14155550100', Body: 'Gate code is 4411' });
      assert.equal(hook.status, 200, hook.text);
      await waitFor('the app to log the verified reply', () => out.includes(': Gate code is 4411'), 30_000, 100).catch((err) => {
        throw new Error(`${err.message}; the app printed:\n${out}`);
      });
      assert.ok(out.includes(`reply in conversation ${sent.conversationId}: Gate code is 4411`), out);
    } finally {
      app.kill('SIGTERM');
    }
  });

  it('a platform key acts on its org with withOrg (Switchboard-Org); without it, or on an org it does not own, it gets typed errors', async () => {
    const platform = new Switchboard({ apiKey: platformKey, baseUrl: server.url });
    const asOrg = platform.withOrg(orgId);
    assert.equal(asOrg.orgId, orgId);
    const contact: any = await asOrg.contacts.create({ name: 'Made By Platform', handles: [{ kind: 'email', value: 'platform-made@example.com' }] } as any);
    const seen: any = await sb.contacts.get(contact.id);
    assert.equal(seen.name, 'Made By Platform', "the org's own key sees what the platform made");
    // The platform's own routes ignore orgId; org routes without it are not the platform's to call.
    const orgs: any[] = [];
    for await (const o of asOrg.platform.listOrgs()) orgs.push(o);
    assert.deepEqual(orgs.map((o) => o.id), [orgId]);
    await assert.rejects(platform.contacts.list(), (e: any) => e instanceof SwitchboardError && e.status === 403 && e.code === 'forbidden');
    const stranger = await runCli(['platform', 'create', '--name', 'Stranger', '--json'], env.env);
    const other = new Switchboard({ apiKey: JSON.parse(stranger.stdout).apiKey, baseUrl: server.url }).withOrg(orgId);
    await assert.rejects(other.contacts.get(contact.id), (e: any) => e.status === 404 && e.code === 'not_found' && e.details?.[0]?.field === 'Switchboard-Org');
  });

  it("mints the UI kit's embed tokens (org key and platform key): scoped to a unit's conversations, refused beyond their scopes", async () => {
    const inbound = async (unit: string) =>
      (await sb.messages.create({ direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: `kit-${unit}` } }, body: `from ${unit}`, metadata: { unit } } as any) as any).conversationId;
    const mine = await inbound('E1');
    const theirs = await inbound('E2');
    for (const issuer of [sb, new Switchboard({ apiKey: platformKey, baseUrl: server.url }).withOrg(orgId)]) {
      const minted: any = await issuer.embedTokens.create({ scopes: ['conversations:read', 'messages:read'], metadata: { unit: 'E1' }, ttlSeconds: 300 } as any);
      assert.match(minted.token, /^sbet_/);
      const kit = new Switchboard({ apiKey: minted.token, baseUrl: server.url });
      const reached: string[] = [];
      for await (const c of kit.conversations.list()) reached.push((c as any).id);
      assert.ok(reached.includes(mine) && !reached.includes(theirs), JSON.stringify(reached));
      await assert.rejects(kit.conversations.get(theirs), (e: any) => e.status === 404);
      await assert.rejects(kit.contacts.create({ name: 'x' } as any), (e: any) => e.status === 403);
    }
  });
});

describe('SDK on its own', () => {
  it('a 429 with Retry-After: 1 is retried once, after at least a second', async () => {
    const at: number[] = [];
    const srv = await localServer((_req, _body, res) => {
      at.push(Date.now());
      if (at.length === 1) res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    });
    try {
      const client = new Switchboard({ apiKey: 'sb_live_x', baseUrl: srv.url });
      assert.deepEqual(await client.health.get(), { status: 'ok' });
      assert.equal(at.length, 2);
      assert.ok(at[1] - at[0] >= 1000, `retried after ${at[1] - at[0]} ms`);
    } finally {
      await srv.close();
    }
  });

  it('userHash matches the server-side HMAC the widget checks', async () => {
    const { createHmac } = await import('node:crypto');
    assert.equal(await userHash('user_8421', 'identity-secret'), createHmac('sha256', 'identity-secret').update('user_8421').digest('hex'));
  });

  it('the generated operations match the API (run `npm run sdk:generate` after changing a route)', () => {
    assert.equal(fs.readFileSync(GENERATED, 'utf8'), generate(), 'sdk/src/generated.ts is stale: run npm run sdk:generate');
  });
});
