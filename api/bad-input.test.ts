import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../test/harness.ts';
import { twilioConnection } from '../test/connections.ts';

/**
 * Hostile and malformed input across the API: every case answers a 4xx JSON error naming the
 * problem (never a 500), and strings that look like SQL or script are data: stored and returned
 * verbatim, always as application/json.
 */
let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness();
  key = (await h.newOrg()).apiKey;
  await twilioConnection(h, key, { sandbox: true });
});
afterAll(async () => h?.close());

const raw = (method: string, path: string, body: string, type = 'application/json') =>
  fetch(`${h.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': type }, body }).then(async (r) => ({
    status: r.status,
    type: r.headers.get('content-type'),
    body: await r.json().catch(() => null),
  }));

const SQL = "'; DROP TABLE messages;--";
const SCRIPT = '<script>alert(1)</script>';

test('malformed JSON → 400 invalid_json; wrong content type → 415', async () => {
  for (const text of ['{"name": ', '{name: "x"}', "{'a':1}", '[1,2', 'nul', '{"a":1}}']) {
    const r = await raw('POST', '/v1/contacts', text);
    assert.equal(r.status, 400, text);
    assert.equal(r.body.error.code, 'invalid_json', text);
  }
  const form = await raw('POST', '/v1/contacts', 'name=x', 'application/x-www-form-urlencoded');
  assert.equal(form.status, 415);
});

test('wrong types → 400 validation_failed naming the field', async () => {
  const cases: [string, string, unknown, string][] = [
    ['POST', '/v1/contacts', { name: 42 }, '/name'],
    ['POST', '/v1/contacts', { name: 'A', handles: 'not-an-array' }, '/handles'],
    ['POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550100' } }, body: ['x'] }, '/body'],
    ['POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550100' } }, body: 'x', purpose: 'spam' }, '/purpose'],
    ['POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550100' } }, body: 'x', noDefer: 'yes' }, '/noDefer'],
    ['POST', '/v1/consents', { channel: 'sms', status: 'maybe', handle: { kind: 'phone', value: '+12125550100' } }, '/status'],
    ['PATCH', '/v1/org', { settings: { quietHours: { start: '8am', end: '21:00' } } }, '/settings/quietHours/start'],
    ['PATCH', '/v1/org', { settings: { hipaaMode: 'yes' } }, '/settings/hipaaMode'],
  ];
  for (const [method, path, body, field] of cases) {
    const r = await h.call(key, method, path, body);
    assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'validation_failed');
    assert.ok(JSON.stringify(r.body.error.details).includes(field), `${field} in ${JSON.stringify(r.body.error.details)}`);
  }
  assert.equal((await h.call(key, 'GET', '/v1/contacts?limit=abc')).status, 400);
});

test('huge bodies → 413; deeply nested JSON → 4xx, never 500', async () => {
  const huge = await raw('POST', '/v1/contacts', JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) }));
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.code, 'payload_too_large');
  const depth = 5000;
  const nested = await raw('POST', '/v1/messages', `{"channel":"sms","to":{"handle":{"kind":"phone","value":"+12125550100"}},"body":"x","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
  assert.ok(nested.status >= 400 && nested.status < 500, `nested → ${nested.status}`);
  const long = await h.call(key, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550100' } }, body: 'x'.repeat(10_001) });
  assert.equal(long.status, 400);
});

test('SQL- and script-looking strings, unicode and emoji are stored and returned verbatim as JSON data', async () => {
  const name = `${SQL} ${SCRIPT} Zoë 李 🚀👩🏽‍🔧`;
  const c = await h.call(key, 'POST', '/v1/contacts', { name, handles: [{ kind: 'email', value: 'robert@example.com' }], attributes: { note: SCRIPT, sql: SQL } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.match(c.headers.get('content-type')!, /^application\/json/);
  const got = await h.call(key, 'GET', `/v1/contacts/${c.body.id}`);
  assert.equal(got.body.name, name);
  assert.equal(got.body.attributes.note, SCRIPT);
  const m = await h.call(key, 'POST', '/v1/messages', {
    channel: 'sms',
    to: { handle: { kind: 'phone', value: '+12125550101' } },
    body: `${SQL}\n${SCRIPT}\n🚀 ünïcödé`,
    metadata: { unit: SQL, html: SCRIPT, [SCRIPT]: SQL },
  });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const back = await h.call(key, 'GET', `/v1/messages/${m.body.id}`);
  assert.match(back.headers.get('content-type')!, /^application\/json/);
  assert.equal(back.body.body, `${SQL}\n${SCRIPT}\n🚀 ünïcödé`);
  assert.deepEqual(back.body.metadata, { unit: SQL, html: SCRIPT, [SCRIPT]: SQL, purpose: 'transactional' });
  // The table is still there and still counts this message.
  const listed = await h.call(key, 'GET', `/v1/conversations/${m.body.conversationId}/messages`);
  assert.equal(listed.body.data.length, 1);
  // Filters with SQL in them are values, not SQL.
  const search = await h.call(key, 'GET', `/v1/conversations?metadata[unit]=${encodeURIComponent(SQL)}`);
  assert.ok(search.status === 200 || search.status === 400, `${search.status}`);
});

test('null bytes (Postgres rejects \\u0000 in text/jsonb) → 400 naming the field, never 500', async () => {
  const cases: [string, string, unknown, string][] = [
    ['POST', '/v1/contacts', { name: 'a\u0000b' }, '/name'],
    ['POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550102' } }, body: 'x', metadata: { unit: '4\u0000B' } }, '/metadata/unit'],
    ['POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550102' } }, body: 'x', metadata: { 'k\u0000': 'v' } }, '/metadata'],
    ['POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550102' } }, body: 'hi\u0000there' }, '/body'],
    ['POST', '/v1/consents', { channel: 'sms', status: 'opted_in', handle: { kind: 'phone', value: '+12125550102' }, evidence: { text: '\u0000' } }, '/evidence/text'],
  ];
  for (const [method, path, body, field] of cases) {
    const r = await h.call(key, method, path, body);
    assert.equal(r.status, 400, `${path} ${field} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(JSON.stringify(r.body.error.details).includes(field), `${field} in ${JSON.stringify(r.body.error.details)}`);
  }
  const q = await h.call(key, 'GET', `/v1/conversations?metadata[unit]=${encodeURIComponent('a\u0000')}`);
  assert.equal(q.status, 400);
});
