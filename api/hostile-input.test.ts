import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from '../test/harness.ts';

/**
 * Hostile input the acceptance run turned into 500s: lone UTF-16 surrogates (jsonb refuses them),
 * cursors whose numbers do not fit the columns, oversized heads (Node's bare 431) and a
 * `__proto__` query key the parser silently dropped. Each must be a 4xx in the JSON error envelope.
 */
let h: Harness;
let key: string;
let contactId: string;
beforeAll(async () => {
  h = await startHarness();
  key = (await h.newOrg()).apiKey;
  contactId = (await h.call(key, 'POST', '/v1/contacts', { name: 'Dana' })).body.id;
});
afterAll(async () => h?.close());

test('a lone surrogate as a value or a key → 400 naming the field, on every jsonb route', async () => {
  const msg = { direction: 'inbound', channel: 'chat', from: { contactId }, body: 'x' };
  const cases: [string, string, unknown, string][] = [
    ['POST', '/v1/messages', { ...msg, metadata: { unit: '4\ud800B' } }, '/metadata/unit'],
    ['POST', '/v1/messages', { ...msg, metadata: { ['k\udfff']: 'v' } }, '/metadata'],
    ['POST', '/v1/messages', { ...msg, body: 'hi \udfff there' }, '/body'],
    ['POST', '/v1/contacts', { name: 'a\ud800' }, '/name'],
    ['POST', `/v1/contacts/${contactId}/links`, { system: 'hubspot', externalId: '12\ud800' }, '/externalId'],
    ['POST', '/v1/rules', { name: 'r', trigger: 'message.received', actions: [{ type: 'tag', tags: ['\ud800'] }] }, '/actions/0/tags/0'],
    ['POST', '/v1/subscriptions', { url: 'https://example.com/h', eventTypes: ['message.*'], description: '\udfff' }, '/description'],
    ['PATCH', '/v1/org', { settings: { timezone: '\ud800' } }, '/settings/timezone'],
    ['POST', '/v1/consents', { channel: 'sms', status: 'opted_in', handle: { kind: 'phone', value: '+12125550102' }, evidence: { ['\ud800']: 1 } }, '/evidence'],
  ];
  for (const [method, path, body, field] of cases) {
    const r = await h.call(key, method, path, body);
    assert.equal(r.status, 400, `${path} ${field} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'validation_failed');
    assert.equal(r.body.error.details[0].field, field, JSON.stringify(r.body.error.details));
    assert.match(r.body.error.details[0].reason, /surrogate/);
  }
  const conv = (await h.call(key, 'POST', '/v1/messages', msg)).body.conversationId;
  assert.equal((await h.call(key, 'PATCH', `/v1/conversations/${conv}`, { metadata: { unit: '\ud800' } })).status, 400);
  const q = await h.call(key, 'GET', `/v1/conversations?metadata[unit]=${encodeURIComponent('a')}%ED%A0%80`);
  assert.ok(q.status < 500, `${q.status}`);
  // A well-formed pair (an emoji) is ordinary text.
  assert.equal((await h.call(key, 'POST', '/v1/messages', { ...msg, metadata: { mood: '\ud83d\ude00' } })).status, 201);
});

const b64 = (s: string) => Buffer.from(s).toString('base64url');

test('cursors beyond bigint/xid8 or with an impossible date → 400 invalid_cursor (sync, realtime, lists)', async () => {
  for (const cursor of [b64('1.99999999999999999999'), b64('99999999999999999999.1'), b64('1.9223372036854775808')]) {
    const r = await h.call(key, 'GET', `/v1/sync?cursor=${cursor}`);
    assert.equal(r.status, 400, `${cursor}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'invalid_cursor');
    const ws = await new Promise<number>((resolve, reject) => {
      const s = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?cursor=${cursor}`, { headers: { authorization: `Bearer ${key}` } });
      s.once('open', () => reject(new Error('the upgrade was accepted')));
      s.once('error', () => {});
      s.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
    });
    assert.equal(ws, 400);
  }
  // The largest bigint is still a cursor.
  assert.equal((await h.call(key, 'GET', `/v1/sync?cursor=${b64('1.9223372036854775807')}`)).status, 200);
  for (const at of ['2026-99-99T99:99:99.999999Z', '2026-02-30T10:00:00.000000Z']) {
    const r = await h.call(key, 'GET', `/v1/contacts?cursor=${b64(`${at}|01937b2e-0000-7000-8000-000000000000`)}`);
    assert.equal(r.status, 400, `${at}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'invalid_cursor');
  }
});

test('headers or query strings over 16 KB → 431 in the JSON error envelope', async () => {
  const cases: { url: string; headers: Record<string, string> }[] = [{ url: `/v1/conversations?metadata[unit]=${'x'.repeat(20_000)}`, headers: {} }, { url: '/v1/health', headers: { 'x-filler': 'y'.repeat(20_000) } }];
  for (const init of cases) {
    const res = await fetch(h.baseUrl + init.url, { headers: { authorization: `Bearer ${key}`, ...init.headers } });
    assert.equal(res.status, 431);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as any;
    assert.equal(body.error.code, 'headers_too_large');
  }
});

test('?metadata[__proto__]=x is refused (400 naming it), never silently dropped', async () => {
  for (const q of ['metadata[__proto__]=x', 'metadata[__proto__][a]=x', '__proto__[unit]=4B']) {
    const r = await h.call(key, 'GET', `/v1/conversations?${q}`);
    assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.error.details[0].field, /__proto__/);
  }
  assert.equal((await h.call(key, 'GET', '/v1/conversations?metadata[constructor]=x')).status, 200, 'an ordinary key that merely looks special filters normally');
});
