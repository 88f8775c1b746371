import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { startHarness, type Harness } from '../../test/harness.ts';
import { withTenantRaw } from '../../core/db/tenant.ts';
import { insertApiKey } from '../../core/orgs.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

test('POST /v1/contacts creates a contact with normalized handles (the acceptance shape)', async () => {
  const { apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Maria Lopez', handles: [{ kind: 'phone', value: '+1 (415) 555-0134' }] });
  assert.equal(res.status, 201);
  assert.match(res.body.id, /^[0-9a-f-]{36}$/);
  assert.equal(res.body.object, 'contact');
  assert.equal(res.body.name, 'Maria Lopez');
  assert.deepEqual(res.body.handles.map((x: any) => [x.kind, x.value]), [['phone', '+14155550134']]);
  assert.deepEqual([res.body.attributes, res.body.links, res.body.mergedInto, res.body.timezone], [{}, [], null, null]);
  const got = await h.call(apiKey, 'GET', `/v1/contacts/${res.body.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, res.body);
});

test('bad handles and bodies answer 400 with field paths; a taken handle answers 409 naming its contact', async () => {
  const { apiKey } = await h.newOrg();
  const bad = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'X', handles: [{ kind: 'phone', value: '555' }] });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_handle');
  assert.equal(bad.body.error.details[0].field, '/handles/0/value');
  const unknown = await h.call(apiKey, 'POST', '/v1/contacts', { nickname: 'X' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.details[0].field, '/nickname');
  const tz = await h.call(apiKey, 'POST', '/v1/contacts', { timezone: 'Moon/Base' });
  assert.equal(tz.status, 400);
  assert.equal(tz.body.error.details[0].field, '/timezone');

  const owner = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'email', value: 'Owner@Example.com' }] });
  const taken = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'email', value: 'owner@example.COM' }] });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.error.code, 'conflict');
  assert.deepEqual([taken.body.error.details[0].field, taken.body.error.details[0].contactId], ['/handles/0/value', owner.body.id]);
});

test('list pages newest first by cursor and finds a contact by handle through the blind index', async () => {
  const { apiKey } = await h.newOrg();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await h.call(apiKey, 'POST', '/v1/contacts', { name: `C${i}`, handles: [{ kind: 'phone', value: `+1415555020${i}` }] });
    ids.push(r.body.id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
    const res = await h.call(apiKey, 'GET', `/v1/contacts${q}`);
    assert.equal(res.status, 200);
    assert.ok(res.body.data.length <= 2);
    assert.equal(res.body.hasMore, res.body.nextCursor !== null);
    seen.push(...res.body.data.map((c: any) => c.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.deepEqual(seen, [...ids].reverse());

  const found = await h.call(apiKey, 'GET', `/v1/contacts?handle[kind]=phone&handle[value]=${encodeURIComponent('+1 (415) 555-0203')}`);
  assert.deepEqual(found.body.data.map((c: any) => c.id), [ids[3]]);
  const none = await h.call(apiKey, 'GET', '/v1/contacts?handle[kind]=phone&handle[value]=%2B14155550299');
  assert.deepEqual([none.body.data, none.body.hasMore, none.body.nextCursor], [[], false, null]);
  const badHandle = await h.call(apiKey, 'GET', '/v1/contacts?handle[kind]=phone&handle[value]=abc');
  assert.deepEqual([badHandle.status, badHandle.body.error.code], [400, 'invalid_handle']);
  const badCursor = await h.call(apiKey, 'GET', '/v1/contacts?cursor=bm9wZQ');
  assert.deepEqual([badCursor.status, badCursor.body.error.details[0].field], [400, '/cursor']);
  const tooMany = await h.call(apiKey, 'GET', '/v1/contacts?limit=101');
  assert.equal(tooMany.status, 400);
});

test('PATCH, handles and links through the API, each with its event', async () => {
  const { apiKey } = await h.newOrg();
  const c = (await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Ed', attributes: { unit: '4B' } })).body;
  const patched = await h.call(apiKey, 'PATCH', `/v1/contacts/${c.id}`, { attributes: { unit: null, vip: true }, timezone: 'Europe/Paris' });
  assert.equal(patched.status, 200);
  assert.deepEqual([patched.body.attributes, patched.body.timezone, patched.body.name], [{ vip: true }, 'Europe/Paris', 'Ed']);

  const added = await h.call(apiKey, 'POST', `/v1/contacts/${c.id}/handles`, { kind: 'whatsapp', value: 'whatsapp:+14155550301' });
  assert.equal(added.status, 201);
  assert.deepEqual([added.body.handle.kind, added.body.handle.value], ['whatsapp', '+14155550301']);
  assert.deepEqual(added.body.contact.handles, [added.body.handle]);
  const again = await h.call(apiKey, 'POST', `/v1/contacts/${c.id}/handles`, { kind: 'whatsapp', value: '14155550301' });
  assert.equal(again.body.handle.id, added.body.handle.id);
  const other = (await h.call(apiKey, 'POST', '/v1/contacts', {})).body;
  const conflict = await h.call(apiKey, 'POST', `/v1/contacts/${other.id}/handles`, { kind: 'whatsapp', value: '+14155550301' });
  assert.equal(conflict.status, 409);
  assert.deepEqual([conflict.body.error.details[0].field, conflict.body.error.details[0].contactId], ['/value', c.id]);
  const badPhone = await h.call(apiKey, 'POST', `/v1/contacts/${c.id}/handles`, { kind: 'phone', value: '+1 1' });
  assert.deepEqual([badPhone.status, badPhone.body.error.details[0].field], [400, '/value']);

  const link = await h.call(apiKey, 'POST', `/v1/contacts/${c.id}/links`, { system: 'stripe', externalId: 'cus_123', url: 'https://dashboard.stripe.com/customers/cus_123' });
  assert.equal(link.status, 201);
  assert.deepEqual([link.body.link.system, link.body.link.externalId, link.body.contact.links.length], ['stripe', 'cus_123', 1]);
  const linkConflict = await h.call(apiKey, 'POST', `/v1/contacts/${other.id}/links`, { system: 'stripe', externalId: 'cus_123' });
  assert.deepEqual([linkConflict.status, linkConflict.body.error.details[0].contactId], [409, c.id]);
  const badSystem = await h.call(apiKey, 'POST', `/v1/contacts/${c.id}/links`, { system: 'Not A System', externalId: '1' });
  assert.equal(badSystem.status, 400);

  const unlinked = await h.call(apiKey, 'DELETE', `/v1/contacts/${c.id}/links/${link.body.link.id}`);
  assert.deepEqual([unlinked.status, unlinked.body.deleted, unlinked.body.contact.links], [200, true, []]);
  const removed = await h.call(apiKey, 'DELETE', `/v1/contacts/${c.id}/handles/${added.body.handle.id}`);
  assert.deepEqual([removed.status, removed.body.contact.handles], [200, []]);
  const removedTwice = await h.call(apiKey, 'DELETE', `/v1/contacts/${c.id}/handles/${added.body.handle.id}`);
  assert.equal(removedTwice.status, 404);

  const sync = await h.call(apiKey, 'GET', '/v1/sync?types=contact.created,contact.updated');
  const mine = sync.body.events.filter((e: any) => e.subjectId === c.id);
  assert.deepEqual(mine.map((e: any) => e.type), ['contact.created', 'contact.updated', 'contact.updated', 'contact.updated', 'contact.updated', 'contact.updated']);
  assert.deepEqual(mine.map((e: any) => e.data.change ?? null), [null, null, 'handle.added', 'link.added', 'link.removed', 'handle.removed']);
  assert.equal(mine[0].data.contact.name, 'Ed');
});

test('merge and undo through the API; a merged contact stays readable with mergedInto', async () => {
  const { apiKey } = await h.newOrg();
  const s = (await h.call(apiKey, 'POST', '/v1/contacts', { name: 'S', handles: [{ kind: 'phone', value: '+14155550401' }] })).body;
  const m = (await h.call(apiKey, 'POST', '/v1/contacts', { name: 'M', handles: [{ kind: 'email', value: 'm@example.org' }] })).body;
  const merged = await h.call(apiKey, 'POST', `/v1/contacts/${s.id}/merge`, { contactId: m.id });
  assert.equal(merged.status, 200);
  assert.deepEqual([merged.body.merge.survivorId, merged.body.merge.mergedId, merged.body.merge.undoneAt], [s.id, m.id, null]);
  assert.equal(merged.body.contact.handles.length, 2);
  const absorbed = await h.call(apiKey, 'GET', `/v1/contacts/${m.id}`);
  assert.deepEqual([absorbed.status, absorbed.body.mergedInto, absorbed.body.name], [200, s.id, 'M']);
  const list = await h.call(apiKey, 'GET', '/v1/contacts');
  assert.deepEqual(list.body.data.map((c: any) => c.id), [s.id]);
  const byHandle = await h.call(apiKey, 'GET', '/v1/contacts?handle[kind]=email&handle[value]=m@example.org');
  assert.deepEqual(byHandle.body.data.map((c: any) => c.id), [s.id]);

  const self = await h.call(apiKey, 'POST', `/v1/contacts/${s.id}/merge`, { contactId: s.id });
  assert.deepEqual([self.status, self.body.error.code], [422, 'unprocessable']);
  const third = (await h.call(apiKey, 'POST', '/v1/contacts', {})).body;
  const ofMerged = await h.call(apiKey, 'POST', `/v1/contacts/${third.id}/merge`, { contactId: m.id });
  assert.equal(ofMerged.status, 422);
  const patchMerged = await h.call(apiKey, 'PATCH', `/v1/contacts/${m.id}`, { name: 'x' });
  assert.equal(patchMerged.status, 422);

  const history = await h.call(apiKey, 'GET', `/v1/contacts/${s.id}/merges`);
  assert.deepEqual(history.body.data.map((x: any) => x.id), [merged.body.merge.id]);
  const undo = await h.call(apiKey, 'POST', `/v1/contacts/merges/${merged.body.merge.id}/undo`);
  assert.equal(undo.status, 200);
  assert.ok(undo.body.merge.undoneAt);
  assert.deepEqual(undo.body.contact.handles.map((x: any) => x.value), ['+14155550401']);
  assert.deepEqual([undo.body.restored.id, undo.body.restored.mergedInto, undo.body.restored.handles.map((x: any) => x.value)], [m.id, null, ['m@example.org']]);
  const twice = await h.call(apiKey, 'POST', `/v1/contacts/merges/${merged.body.merge.id}/undo`);
  assert.deepEqual([twice.status, twice.body.error.code], [409, 'conflict']);
  const missing = await h.call(apiKey, 'POST', `/v1/contacts/merges/${uuidv7()}/undo`);
  assert.equal(missing.status, 404);
  const sync = await h.call(apiKey, 'GET', '/v1/sync?types=contact.merged,contact.unmerged');
  assert.deepEqual(sync.body.events.map((e: any) => [e.type, e.data.mergeId]), [['contact.merged', merged.body.merge.id], ['contact.unmerged', merged.body.merge.id]]);
});

test("every contacts endpoint answers 404 to another org's ids", async () => {
  const a = await h.newOrg('A');
  const b = await h.newOrg('B');
  const ac = (await h.call(a.apiKey, 'POST', '/v1/contacts', { name: 'Secret', handles: [{ kind: 'phone', value: '+14155550501' }] })).body;
  const am = (await h.call(a.apiKey, 'POST', '/v1/contacts', {})).body;
  const link = (await h.call(a.apiKey, 'POST', `/v1/contacts/${ac.id}/links`, { system: 'hubspot', externalId: '7' })).body.link;
  const merge = (await h.call(a.apiKey, 'POST', `/v1/contacts/${ac.id}/merge`, { contactId: am.id })).body.merge;
  const bc = (await h.call(b.apiKey, 'POST', '/v1/contacts', {})).body;
  const handleId = ac.handles[0].id;

  const attempts: [string, string, unknown?][] = [
    ['GET', `/v1/contacts/${ac.id}`],
    ['PATCH', `/v1/contacts/${ac.id}`, { name: 'Pwned' }],
    ['POST', `/v1/contacts/${ac.id}/handles`, { kind: 'app_user', value: 'x' }],
    ['DELETE', `/v1/contacts/${ac.id}/handles/${handleId}`],
    ['DELETE', `/v1/contacts/${bc.id}/handles/${handleId}`],
    ['POST', `/v1/contacts/${ac.id}/merge`, { contactId: bc.id }],
    ['POST', `/v1/contacts/${bc.id}/merge`, { contactId: ac.id }],
    ['GET', `/v1/contacts/${ac.id}/merges`],
    ['POST', `/v1/contacts/merges/${merge.id}/undo`],
    ['POST', `/v1/contacts/${ac.id}/links`, { system: 'hubspot', externalId: '8' }],
    ['DELETE', `/v1/contacts/${ac.id}/links/${link.id}`],
    ['DELETE', `/v1/contacts/${bc.id}/links/${link.id}`],
  ];
  for (const [method, path, body] of attempts) {
    const res = await h.call(b.apiKey, method, path, body);
    assert.equal(res.status, 404, `${method} ${path} → ${res.status}`);
    assert.equal(res.body.error.code, 'not_found');
    assert.ok(!JSON.stringify(res.body).includes('Secret'));
  }
  const list = await h.call(b.apiKey, 'GET', '/v1/contacts?handle[kind]=phone&handle[value]=%2B14155550501');
  assert.deepEqual(list.body.data, []);
  // Nothing changed on A's side.
  const still = await h.call(a.apiKey, 'GET', `/v1/contacts/${ac.id}`);
  assert.deepEqual([still.body.name, still.body.handles.length, still.body.links.length], ['Secret', 1, 1]);
  const undo = await h.call(a.apiKey, 'POST', `/v1/contacts/merges/${merge.id}/undo`);
  assert.equal(undo.status, 200);
});

test('contacts endpoints demand their scopes', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const { secret } = await withTenantRaw(h.engine.db, orgId, (trx) => insertApiKey(trx, orgId, { name: 'read only', scopes: ['contacts:read'] }));
  const c = (await h.call(apiKey, 'POST', '/v1/contacts', {})).body;
  assert.equal((await h.call(secret, 'GET', `/v1/contacts/${c.id}`)).status, 200);
  assert.equal((await h.call(secret, 'GET', '/v1/contacts')).status, 200);
  const denied = await h.call(secret, 'POST', '/v1/contacts', {});
  assert.deepEqual([denied.status, denied.body.error.code], [403, 'forbidden']);
  assert.equal((await h.call(secret, 'PATCH', `/v1/contacts/${c.id}`, { name: 'x' })).status, 403);
  assert.equal((await h.call(null, 'GET', '/v1/contacts')).status, 401);
});

test('the contacts operations are in the OpenAPI document', async () => {
  const doc = (await h.call(null, 'GET', '/v1/openapi.json')).body;
  for (const p of ['/v1/contacts', '/v1/contacts/{id}', '/v1/contacts/{id}/handles', '/v1/contacts/{id}/merge', '/v1/contacts/merges/{mergeId}/undo', '/v1/contacts/{id}/links/{linkId}']) {
    assert.ok(doc.paths[p], `${p} documented`);
  }
  assert.equal(doc.paths['/v1/contacts'].post.requestBody.content['application/json'].schema.additionalProperties, false);
});
