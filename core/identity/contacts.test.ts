import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { AppError } from '../errors.ts';
import { addHandle, createContact, findOrCreateContactByHandle, updateContact } from './contacts.ts';
import { addLink, findContactByExternalLink, removeLink } from './links.ts';
import { getContact } from './views.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

test('find-or-create returns the same contact for the same handle in any format, created once', async () => {
  const { orgId } = await h.newOrg();
  const first = await h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'phone', value: '+1 (415) 555-0134' }));
  const again = await h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'phone', value: '+14155550134' }));
  assert.equal(first.created, true);
  assert.equal(again.created, false);
  assert.equal(again.contactId, first.contactId);
  assert.equal(again.handleId, first.handleId);
  const events = await h.engine.tenant(orgId, (tx) => tx.trx('events').where({ type: 'contact.created' }));
  assert.equal(events.length, 1);
});

test('concurrent first sightings of one handle end up on one contact', async () => {
  const { orgId } = await h.newOrg();
  const results = await Promise.all(
    Array.from({ length: 5 }, () => h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'email', value: 'Race@Example.com' }))),
  );
  assert.equal(new Set(results.map((r) => r.contactId)).size, 1);
  assert.equal(results.filter((r) => r.created).length, 1);
  const contacts = await h.engine.tenant(orgId, (tx) => tx.pii('pii.contacts').count({ n: '*' }));
  assert.equal(Number(contacts[0].n), 1);
});

test('a handle belongs to one contact per org: another contact gets a 409 naming the owner', async () => {
  const { orgId } = await h.newOrg();
  const owner = await h.engine.tenant(orgId, (tx) =>
    createContact(tx, { name: 'Ana', handles: [{ kind: 'email', value: 'ana@example.com' }] }),
  );
  await assert.rejects(
    h.engine.tenant(orgId, (tx) => createContact(tx, { name: 'Impostor', handles: [{ kind: 'phone', value: '+14155550100' }, { kind: 'email', value: 'ANA@example.com' }] })),
    (err: unknown) => {
      assert.ok(isCode('conflict')(err));
      const d = (err as AppError).details as any[];
      assert.equal(d[0].field, '/handles/1/value');
      assert.equal(d[0].contactId, owner.id);
      return true;
    },
  );
  // The failed create left nothing behind (its transaction rolled back): the phone is still free.
  const other = await h.engine.tenant(orgId, (tx) => createContact(tx, { handles: [{ kind: 'phone', value: '+14155550100' }] }));
  await assert.rejects(h.engine.tenant(orgId, (tx) => addHandle(tx, other.id, { kind: 'email', value: 'ana@example.com' })), isCode('conflict'));
  // On the same contact adding it again is a no-op.
  const same = await h.engine.tenant(orgId, (tx) => addHandle(tx, owner.id, { kind: 'email', value: 'Ana@Example.com' }));
  assert.equal(same.created, false);
  assert.equal(same.contact.handles.length, 1);
  // Two spellings of one number in one request are one handle.
  const twice = await h.engine.tenant(orgId, (tx) =>
    createContact(tx, { handles: [{ kind: 'phone', value: '+1 415 555 0199' }, { kind: 'phone', value: '+14155550199' }] }),
  );
  assert.deepEqual(twice.handles.map((x) => x.value), ['+14155550199']);
});

test('the same number in two orgs is two contacts', async () => {
  const a = await h.newOrg('A');
  const b = await h.newOrg('B');
  const inA = await h.engine.tenant(a.orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'phone', value: '+14155550123' }));
  const inB = await h.engine.tenant(b.orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'phone', value: '+1 415-555-0123' }));
  assert.equal(inA.created, true);
  assert.equal(inB.created, true);
  assert.notEqual(inA.contactId, inB.contactId);
});

test('handle values, names and attributes are not stored in clear; the blind index is 32 bytes', async () => {
  const { orgId } = await h.newOrg();
  const c = await h.engine.tenant(orgId, (tx) =>
    createContact(tx, {
      name: 'Zelda Marker',
      attributes: { note: 'attr-marker-991' },
      handles: [{ kind: 'phone', value: '+1 415 555 0177' }, { kind: 'email', value: 'zelda.marker@example.com' }],
    }),
  );
  const [contact, handles] = await h.engine.tenant(orgId, async (tx) => [
    await tx.pii('pii.contacts').where({ id: c.id }).first(),
    await tx.pii('pii.contact_handles').where({ contact_id: c.id }),
  ]);
  const clear = (buf: Buffer, s: string) => Buffer.from(buf).includes(Buffer.from(s));
  assert.equal(handles.length, 2);
  for (const row of handles) {
    for (const s of ['+14155550177', '4155550177', 'zelda.marker@example.com', 'zelda.marker']) assert.ok(!clear(row.value_enc, s), `value_enc holds ${s}`);
    assert.equal(Buffer.from(row.value_index).length, 32);
  }
  assert.ok(!clear(contact.name_enc, 'Zelda'));
  assert.ok(!clear(contact.attributes_enc, 'attr-marker-991'));
  assert.deepEqual(Object.keys(contact).filter((k) => /name|value|attributes/.test(k)).sort(), ['attributes_enc', 'name_enc']);
  const view = await h.engine.tenant(orgId, (tx) => getContact(tx, c.id));
  assert.equal(view.name, 'Zelda Marker');
  assert.deepEqual(view.handles.map((x) => x.value).sort(), ['+14155550177', 'zelda.marker@example.com']);
});

test('updates merge attributes key by key, validate and canonicalize the time zone', async () => {
  const { orgId } = await h.newOrg();
  const c = await h.engine.tenant(orgId, (tx) => createContact(tx, { name: 'Bo', attributes: { tier: 'gold', unit: '4B' } }));
  const u = await h.engine.tenant(orgId, (tx) => updateContact(tx, c.id, { attributes: { unit: null, lang: 'es' }, timezone: 'america/new_york' }));
  assert.deepEqual(u.attributes, { tier: 'gold', lang: 'es' });
  assert.equal(u.timezone, 'America/New_York');
  assert.equal(u.name, 'Bo');
  await assert.rejects(h.engine.tenant(orgId, (tx) => updateContact(tx, c.id, { timezone: 'Mars/Olympus' })), (err: unknown) => {
    assert.ok(isCode('validation_failed')(err));
    assert.equal(((err as AppError).details as any[])[0].field, '/timezone');
    return true;
  });
  const cleared = await h.engine.tenant(orgId, (tx) => updateContact(tx, c.id, { name: null, timezone: null }));
  assert.equal(cleared.name, null);
  assert.equal(cleared.timezone, null);
  const types = await h.engine.tenant(orgId, (tx) => tx.trx('events').where({ subject_id: c.id }).orderBy('seq').pluck('type'));
  assert.deepEqual(types, ['contact.created', 'contact.updated', 'contact.updated']);
});

test('external links: one record per org points at one contact; connectors find it', async () => {
  const { orgId } = await h.newOrg();
  const [a, b] = await h.engine.tenant(orgId, async (tx) => [await createContact(tx, { name: 'A' }), await createContact(tx, { name: 'B' })]);
  const added = await h.engine.tenant(orgId, (tx) => addLink(tx, a.id, { system: 'hubspot', externalId: '901', url: 'https://app.hubspot.com/c/901' }));
  assert.equal(added.created, true);
  assert.deepEqual(added.contact.links.map((l) => [l.system, l.externalId, l.url]), [['hubspot', '901', 'https://app.hubspot.com/c/901']]);
  const again = await h.engine.tenant(orgId, (tx) => addLink(tx, a.id, { system: 'hubspot', externalId: '901', data: { stage: 'lead' } }));
  assert.equal(again.created, false);
  assert.equal(again.link.id, added.link.id);
  assert.deepEqual(again.link.data, { stage: 'lead' });
  await assert.rejects(h.engine.tenant(orgId, (tx) => addLink(tx, b.id, { system: 'hubspot', externalId: '901' })), (err: unknown) => {
    assert.ok(isCode('conflict')(err));
    assert.equal(((err as AppError).details as any[])[0].contactId, a.id);
    return true;
  });
  // Same external id in another system is another record.
  await h.engine.tenant(orgId, (tx) => addLink(tx, b.id, { system: 'stripe', externalId: '901' }));
  const found = await h.engine.tenant(orgId, (tx) => findContactByExternalLink(tx, 'hubspot', '901'));
  assert.equal(found?.contactId, a.id);
  await h.engine.tenant(orgId, (tx) => removeLink(tx, a.id, added.link.id));
  assert.equal(await h.engine.tenant(orgId, (tx) => findContactByExternalLink(tx, 'hubspot', '901')), null);
  await assert.rejects(h.engine.tenant(orgId, (tx) => removeLink(tx, a.id, added.link.id)), isCode('not_found'));
});
