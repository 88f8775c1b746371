import { test } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { CUSTOMER, formParams, hasEvent, postTwilio, syncEvents, twilioConnection } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { createPlatform } from '../../core/platforms/platforms.ts';
import { withPlatform, withTenantRaw } from '../../core/db/tenant.ts';

/**
 * Platforms (issue 17) through real HTTP: a platform key creates and runs orgs, acts on them with
 * Switchboard-Org, reads their usage; another platform reaches none of it (every route of the
 * OpenAPI document, and the database itself); suspension, crypto-shredding, the monthly limit,
 * white-label branding and the sign-in token exchange.
 */
const pipeline = usePipeline();
let h: Harness;

const ORIGIN = 'https://app.propertyco.test';
const sms = formParams(JSON.parse(readFileSync(new URL('../../connectors/twilio/fixtures/inbound-sms.json', import.meta.url), 'utf8')).request.body);

async function platform(name: string) {
  h ??= await pipeline.ready;
  const { platform, apiKey } = await createPlatform(h.engine.db, { name });
  assert.match(apiKey, /^sbp_live_/);
  return { id: platform.id, key: apiKey };
}

async function newOrg(key: string, body: Record<string, unknown> = {}) {
  const res = await h.call(key, 'POST', '/v1/platform/orgs', { name: 'Customer org', ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.match(res.body.apiKey, /^sb_live_/);
  return { id: res.body.org.id as string, apiKey: res.body.apiKey as string };
}

/** A call as the platform, on one org's API. */
const asOrg = (key: string, orgId: string, method: string, path: string, body?: unknown) => h.call(key, method, path, body, { 'switchboard-org': orgId });

const PROGRESS = ['queued', 'sent', 'delivered', 'read'];
async function sendSms(key: string, orgId: string, body = 'Your plumber arrives at 3pm') {
  const res = await asOrg(key, orgId, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body });
  return res;
}
const untilSent = (key: string, orgId: string, id: string) =>
  waitFor(`message ${id} sent`, async () => PROGRESS.indexOf((await asOrg(key, orgId, 'GET', `/v1/messages/${id}`)).body.status) >= 1, 10_000, 50);

test('Done 1: a platform creates two orgs, connects and sends in each through Switchboard-Org, reads one outbound SMS per org; another platform gets 404 for both orgs on every route', async () => {
  const a = await platform('PropertyCo');
  const b = await platform('Other SaaS');
  const orgs = [await newOrg(a.key, { name: 'Sunset Apartments' }), await newOrg(a.key, { name: 'Harbor Lofts' })];
  for (const org of orgs) {
    const conn = await asOrg(a.key, org.id, 'POST', '/v1/connections', {
      connector: 'twilio', name: 'Twilio', sandbox: true,
      config: { accountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', fromNumbers: ['+14155550199'] }, secrets: { authToken: '5d4c3b2a19f8e7d6c5b4a39281706f5e' },
    });
    assert.equal(conn.status, 201, JSON.stringify(conn.body));
    const sent = await sendSms(a.key, org.id);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    await untilSent(a.key, org.id, sent.body.id);
    // Audited in the org's own log as the platform.
    const audit = await asOrg(a.key, org.id, 'GET', '/v1/audit?action=connection.created');
    assert.deepEqual(audit.body.data.map((e: any) => e.actor), [{ type: 'platform', id: a.id }]);
  }
  const usage = await h.call(a.key, 'GET', '/v1/platform/usage');
  assert.equal(usage.status, 200, JSON.stringify(usage.body));
  for (const org of orgs) {
    const rows = usage.body.data.filter((r: any) => r.orgId === org.id && r.metric === 'messages.outbound');
    assert.deepEqual(rows.map((r: any) => [r.channel, r.connector, r.quantity]), [['sms', 'twilio', 1]]);
    const segments = usage.body.data.find((r: any) => r.orgId === org.id && r.metric === 'segments.outbound');
    assert.equal(segments.quantity, 1);
  }
  const csv = await fetch(`${h.baseUrl}/v1/platform/usage?format=csv`, { headers: { authorization: `Bearer ${a.key}` } });
  assert.match(csv.headers.get('content-type')!, /^text\/csv/);
  const lines = (await csv.text()).trim().split('\r\n');
  assert.equal(lines[0], 'org_id,day,metric,channel,connector,quantity');
  for (const org of orgs) assert.ok(lines.some((l) => l.startsWith(`"${org.id}"`) && l.includes('"messages.outbound","sms","twilio","1"')), lines.join('\n'));

  // The other platform: every scoped operation of the OpenAPI document, for both orgs, is a 404.
  const doc = (await h.call(null, 'GET', '/v1/openapi.json')).body;
  const failures: string[] = [];
  let checked = 0;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!op['x-required-scope']) continue;
      const platformLevel = path.startsWith('/v1/platform');
      // Platform-level operations that name no org (the platform itself, its keys, lists) are checked below.
      if (platformLevel && !path.startsWith('/v1/platform/orgs/{id}')) continue;
      for (const org of orgs) {
        const concrete = path.replace('/v1/platform/orgs/{id}', `/v1/platform/orgs/${org.id}`).replace(/\{[^}]+\}/g, crypto.randomUUID());
        const body = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
        const res = platformLevel ? await h.call(b.key, method.toUpperCase(), concrete, body) : await asOrg(b.key, org.id, method.toUpperCase(), concrete, body);
        checked++;
        if (res.status !== 404 || res.body?.error?.code !== 'not_found') failures.push(`${method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked >= 80, `only ${checked} operations checked`);
  const listed = await h.call(b.key, 'GET', '/v1/platform/orgs');
  assert.deepEqual(listed.body.data, []);
  assert.equal((await h.call(b.key, 'GET', `/v1/platform/usage?orgId=${orgs[0]!.id}`)).status, 404);
  assert.deepEqual((await h.call(b.key, 'GET', '/v1/platform/usage')).body.data, []);
  // …and the first platform's orgs are all there.
  assert.deepEqual((await h.call(a.key, 'GET', '/v1/platform/orgs')).body.data.map((o: any) => o.id).sort(), orgs.map((o) => o.id).sort());
  // An org key never reaches the platform API, nor another org through the header.
  assert.equal((await h.call(orgs[0]!.apiKey, 'GET', '/v1/platform/orgs')).status, 403);
  assert.equal((await h.call(orgs[0]!.apiKey, 'GET', '/v1/org', undefined, { 'switchboard-org': orgs[1]!.id })).status, 404);
  // A platform key without the header is not an org.
  assert.equal((await h.call(a.key, 'GET', '/v1/contacts')).status, 403);
});

test('Done 2: as the app role with the first platform\'s setting, SQL cannot read or write the second platform\'s orgs (RLS)', async () => {
  const a = await platform('A');
  const b = await platform('B');
  const mine = await newOrg(a.key);
  const theirs = await newOrg(b.key);
  const role = (await h.engine.db.knex.raw('SELECT current_user AS who')).rows[0].who;
  assert.equal(role, 'switchboard_app');
  const seen = await withPlatform(h.engine.db, a.id, (trx) => trx.raw('SELECT id, platform_id FROM orgs'));
  assert.deepEqual(seen.rows.map((r: any) => r.id), [mine.id]);
  const named = await withPlatform(h.engine.db, a.id, (trx) => trx.raw('SELECT id FROM orgs WHERE id = ? OR platform_id = ?', [theirs.id, b.id]));
  assert.equal(named.rows.length, 0);
  // Even with app.org_id naming it, the platform setting hides another platform's org (the restrictive policy).
  const both = await withTenantRaw(h.engine.db, theirs.id, (trx) => trx.raw('SELECT id FROM orgs'), a.id);
  assert.deepEqual(both.rows.map((r: any) => r.id), [mine.id], 'both settings');
  assert.equal((await withPlatform(h.engine.db, a.id, (trx) => trx.raw('SELECT * FROM platforms'))).rows.length, 1, 'platforms');
  assert.equal((await withPlatform(h.engine.db, a.id, (trx) => trx.raw('SELECT * FROM platform_keys WHERE platform_id = ?', [b.id]))).rows.length, 0);
  assert.equal((await withPlatform(h.engine.db, a.id, (trx) => trx.raw('SELECT * FROM usage_daily WHERE org_id = ?', [theirs.id]))).rows.length, 0);
  const moved = await withPlatform(h.engine.db, a.id, (trx) => trx.raw('UPDATE orgs SET name = ? WHERE id = ?', ['taken', theirs.id]));
  assert.equal(moved.rowCount, 0, 'update');
  await assert.rejects(
    withPlatform(h.engine.db, a.id, (trx) => trx('orgs').insert({ id: crypto.randomUUID(), name: 'forged', platform_id: b.id })),
    /row-level security/,
  );
});

test('Done 3: a suspended org\'s keys get 401 org_suspended, its webhooks are stored and acknowledged but held until resumed; deleting crypto-shreds', async () => {
  const a = await platform('Suspender');
  const org = await newOrg(a.key);
  const conn = await twilioConnection(h, org.apiKey);
  const suspended = await h.call(a.key, 'POST', `/v1/platform/orgs/${org.id}/suspend`, {});
  assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
  assert.equal(suspended.body.status, 'suspended');
  const refused = await h.call(org.apiKey, 'GET', '/v1/contacts');
  assert.deepEqual([refused.status, refused.body.error.code], [401, 'org_suspended']);
  // The provider's webhook: acknowledged (TwiML), archived as held, nothing processed.
  const hook = await postTwilio(conn.inboundUrl, sms);
  assert.equal(hook.status, 200, hook.text);
  assert.match(hook.text, /<Response\/>/);
  const held = await h.engine.tenant(org.id, async (tx) => ({
    archived: await tx.trx('raw_inbound').select('status'),
    messages: (await tx.trx('messages').count({ n: '*' }))[0]!.n,
  }));
  assert.deepEqual([held.archived.map((r: any) => r.status), Number(held.messages)], [['held'], 0]);
  // The platform still sees its org; resuming processes what was held, once.
  const resumed = await h.call(a.key, 'POST', `/v1/platform/orgs/${org.id}/resume`, {});
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.deepEqual([resumed.body.status, resumed.body.heldWebhooks], ['active', { processed: 1, failed: 0 }]);
  const events = await syncEvents(h, org.apiKey, hasEvent('message.created'));
  const m = events.find((e) => e.type === 'message.created')!.data.message;
  assert.deepEqual([m.direction, m.providerMessageId], ['inbound', sms.MessageSid]);
  const audit = await h.call(org.apiKey, 'GET', '/v1/audit');
  assert.ok(['org.suspended', 'org.resumed'].every((a) => audit.body.data.some((e: any) => e.action === a && e.actor.type === 'platform')));
  // Delete: the org's keys are destroyed; its API key, its id and its data are gone.
  assert.equal((await h.call(a.key, 'DELETE', `/v1/platform/orgs/${org.id}`)).status, 204);
  assert.equal((await h.call(org.apiKey, 'GET', '/v1/org')).status, 401);
  assert.equal((await h.call(a.key, 'GET', `/v1/platform/orgs/${org.id}`)).status, 404);
  const keys = await withTenantRaw(h.engine.db, org.id, (trx) => trx('org_keys').count({ n: '*' }));
  assert.equal(Number(keys[0]!.n), 0);
  await assert.rejects(h.engine.tenant(org.id, async () => undefined));
});

test('Done 4 (API): branding in GET /v1/org, the widget session answer, the consent reply ({org}) and the sign-in token exchange; Host-based branding', async () => {
  const a = await platform('PropertyCo');
  const patched = await h.call(a.key, 'PATCH', '/v1/platform', {
    branding: { displayName: 'PropertyCo', colors: { primary: '#123456', accent: '#abcdef' }, supportEmail: 'help@propertyco.test' },
    domains: ['app.propertyco.test'],
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const org = await newOrg(a.key, { name: 'Sunset Apartments LLC', branding: { displayName: 'Sunset Apartments', colors: { primary: '#ff6600' } } });
  const me = await asOrg(a.key, org.id, 'GET', '/v1/org');
  assert.deepEqual(
    [me.body.branding.displayName, me.body.branding.colors.primary, me.body.branding.colors.accent, me.body.branding.supportEmail, me.body.branding.emailFromName],
    ['Sunset Apartments', '#ff6600', '#abcdef', 'help@propertyco.test', 'Sunset Apartments'],
  );
  // The widget: its session answer carries the branding it themes itself with.
  const chat = await asOrg(a.key, org.id, 'POST', '/v1/connections', { connector: 'webchat', name: 'Chat', config: { allowedOrigins: [ORIGIN] }, secrets: { identitySecret: 'idsec_1f2e3d4c5b6a79881726354453627180' } });
  assert.equal(chat.status, 201, JSON.stringify(chat.body));
  const pk = await asOrg(a.key, org.id, 'POST', `/v1/connections/${chat.body.id}/publishable-keys`, {});
  const session = await h.call(null, 'POST', '/v1/widget/sessions', { publishableKey: pk.body.key }, { origin: ORIGIN });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  assert.deepEqual([session.body.branding.displayName, session.body.branding.colors.primary], ['Sunset Apartments', '#ff6600']);
  // Consent: STOP gets the reply in the org's white-label name.
  const conn = await twilioConnection(h, org.apiKey);
  assert.equal((await postTwilio(conn.inboundUrl, { ...sms, Body: 'STOP' })).status, 200);
  const events = await syncEvents(h, org.apiKey, (es) => es.some((e) => e.type === 'message.created' && e.data.message.direction === 'outbound'));
  const reply = events.find((e) => e.type === 'message.created' && e.data.message.direction === 'outbound')!.data.message;
  assert.match(reply.body, /^Sunset Apartments: You are unsubscribed/);
  // Sign-in token: the platform mints it for a dashboard user; the exchange signs that user into that org, once.
  const user = await asOrg(a.key, org.id, 'POST', '/v1/users', { email: 'manager@sunset.test', role: 'admin', password: 'correct horse battery' });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const minted = await h.call(a.key, 'POST', `/v1/platform/orgs/${org.id}/sign-in-tokens`, { email: 'manager@sunset.test', expiresInSeconds: 60 });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  assert.match(minted.body.token, /^sbt_/);
  const exchanged = await h.call(null, 'POST', '/v1/sessions/exchange', { token: minted.body.token });
  assert.equal(exchanged.status, 201, JSON.stringify(exchanged.body));
  assert.match(exchanged.headers.get('set-cookie')!, /^sb_session=sbs_.*HttpOnly; SameSite=Strict/);
  assert.deepEqual([exchanged.body.user.email, exchanged.body.org.id, exchanged.body.org.branding.displayName], ['manager@sunset.test', org.id, 'Sunset Apartments']);
  const signedIn = await h.call(exchanged.body.token, 'GET', '/v1/org');
  assert.deepEqual([signedIn.status, signedIn.body.id, signedIn.body.branding.colors.primary], [200, org.id, '#ff6600']);
  assert.equal((await h.call(null, 'POST', '/v1/sessions/exchange', { token: minted.body.token })).status, 401, 'single use');
  // Host-based branding for the sign-in page on the platform's own domain.
  const branded = await getWithHost('/v1/branding', 'app.propertyco.test');
  assert.deepEqual([branded.platform, branded.branding.displayName, branded.branding.colors.primary], ['PropertyCo', 'PropertyCo', '#123456']);
  assert.equal((await getWithHost('/v1/branding', 'elsewhere.test')).branding.displayName, 'Switchboard');
});

test('Done 5: a hard monthly limit of 3: the 4th send is refused with monthly_limit_reached; usage.limit_reached is emitted once', async () => {
  const a = await platform('Limiter');
  const org = await newOrg(a.key, { limits: { monthlyMessages: { limit: 3, hard: true } } });
  await twilioConnection(h, org.apiKey, { sandbox: true });
  for (let i = 0; i < 3; i++) {
    const res = await sendSms(a.key, org.id, `Reminder ${i}`);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  for (let i = 0; i < 2; i++) {
    const res = await h.call(org.apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'One more' });
    assert.deepEqual([res.status, res.body.error.code, res.body.error.details[0].limit], [422, 'monthly_limit_reached', 3]);
  }
  const events = await syncEvents(h, org.apiKey, hasEvent('usage.limit_reached'));
  const reached = events.filter((e) => e.type === 'usage.limit_reached');
  assert.equal(reached.length, 1);
  assert.deepEqual([reached[0]!.data.limit, reached[0]!.data.used, reached[0]!.data.hard], [3, 3, true]);
  // Raising the limit lets sends through again, and the event stays single for the month.
  const raised = await h.call(a.key, 'PATCH', `/v1/platform/orgs/${org.id}`, { limits: { monthlyMessages: { limit: 4, hard: true } } });
  assert.equal(raised.status, 200, JSON.stringify(raised.body));
  assert.equal((await sendSms(a.key, org.id, 'Fourth')).status, 201);
  assert.equal((await syncEvents(h, org.apiKey)).filter((e) => e.type === 'usage.limit_reached').length, 1);
});

function getWithHost(path: string, host: string): Promise<any> {
  const url = new URL(h.baseUrl + path);
  return new Promise((resolve, reject) => {
    http.get({ hostname: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    }).on('error', reject);
  });
}
