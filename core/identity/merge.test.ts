import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { startHarness, type Harness } from '../../test/harness.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { addHandle, createContact, findOrCreateContactByHandle, resolveContactId, updateContact } from './contacts.ts';
import { addLink } from './links.ts';
import { listMerges, mergeContacts, undoMerge } from './merge.ts';
import { getContact, type ContactView } from './views.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

/** A conversation with one participant and one message for the contact, written directly. */
async function thread(tx: TenantTx, contactId: string) {
  const conversation = uuidv7();
  const participant = uuidv7();
  const message = uuidv7();
  await tx.trx('conversations').insert({ id: conversation, org_id: tx.orgId, channel: 'sms', contact_id: contactId });
  await tx.trx('participants').insert({ id: participant, org_id: tx.orgId, conversation_id: conversation, contact_id: contactId, role: 'customer', channel: 'sms' });
  await tx.trx('messages').insert({ id: message, org_id: tx.orgId, conversation_id: conversation, direction: 'inbound', channel: 'sms', contact_id: contactId, status: 'received' });
  return { conversation, participant, message };
}

async function owners(tx: TenantTx, t: { conversation: string; participant: string; message: string }) {
  return {
    conversation: (await tx.trx('conversations').where({ id: t.conversation }).first()).contact_id,
    participant: (await tx.trx('participants').where({ id: t.participant }).first()).contact_id,
    message: (await tx.trx('messages').where({ id: t.message }).first()).contact_id,
  };
}

const sameContact = (a: ContactView, b: ContactView) => assert.deepEqual({ ...a, updatedAt: null }, { ...b, updatedAt: null });

test('merge moves handles, links, conversations, participants and messages; undo restores both exactly', async () => {
  const { orgId } = await h.newOrg();
  const t = <T>(fn: (tx: TenantTx) => Promise<T>) => h.engine.tenant(orgId, fn);
  const s = await t((tx) => createContact(tx, { name: 'Survivor', handles: [{ kind: 'phone', value: '+14155550101' }] }));
  const m = await t((tx) => createContact(tx, { name: 'Merged', attributes: { a: 1 }, handles: [{ kind: 'email', value: 'm@example.com' }, { kind: 'phone', value: '+14155550102' }] }));
  await t((tx) => addLink(tx, s.id, { system: 'hubspot', externalId: 's-1' }));
  await t((tx) => addLink(tx, m.id, { system: 'hubspot', externalId: 'm-1' }));
  const sThread = await t((tx) => thread(tx, s.id));
  const mThread = await t((tx) => thread(tx, m.id));
  const before = { s: await t((tx) => getContact(tx, s.id)), m: await t((tx) => getContact(tx, m.id)) };

  const { merge, contact } = await t((tx) => mergeContacts(tx, s.id, m.id, 'key-1'));
  assert.equal(merge.survivorId, s.id);
  assert.equal(merge.mergedId, m.id);
  assert.equal(merge.actor, 'key-1');
  assert.deepEqual(merge.moved, { handles: 2, links: 1, conversations: 1, participants: 1, messages: 1 });
  assert.deepEqual(contact.handles.map((x) => x.value).sort(), ['+14155550101', '+14155550102', 'm@example.com']);
  assert.deepEqual(contact.links.map((l) => l.externalId).sort(), ['m-1', 's-1']);
  assert.equal(contact.name, 'Survivor');
  const absorbed = await t((tx) => getContact(tx, m.id));
  assert.equal(absorbed.mergedInto, s.id);
  assert.deepEqual([absorbed.handles, absorbed.links], [[], []]);
  assert.deepEqual(await t((tx) => owners(tx, mThread)), { conversation: s.id, participant: s.id, message: s.id });
  // The merged contact's handles and id now lead to the survivor; the merged contact is frozen.
  assert.equal((await t((tx) => findOrCreateContactByHandle(tx, { kind: 'email', value: 'M@example.com' }))).contactId, s.id);
  assert.equal(await t((tx) => resolveContactId(tx, m.id)), s.id);
  await assert.rejects(t((tx) => updateContact(tx, m.id, { name: 'x' })), isCode('unprocessable'));
  await assert.rejects(t((tx) => addHandle(tx, m.id, { kind: 'app_user', value: 'u1' })), isCode('unprocessable'));
  const row = await t((tx) => tx.trx('contact_merges').where({ id: merge.id }).first());
  assert.deepEqual(row.moved.messages, [mThread.message]);

  // What the survivor gains after the merge stays with it on undo.
  const later = await t((tx) => addHandle(tx, s.id, { kind: 'app_user', value: 'survivor-later' }));
  const undone = await t((tx) => undoMerge(tx, merge.id, 'key-2'));
  assert.ok(undone.merge.undoneAt);
  assert.equal(undone.merge.undoneBy, 'key-2');
  sameContact(undone.restored, before.m);
  assert.deepEqual(undone.contact.handles.map((x) => x.id), [...before.s.handles.map((x) => x.id), later.handle.id]);
  assert.deepEqual(undone.contact.links, before.s.links);
  assert.deepEqual(await t((tx) => owners(tx, mThread)), { conversation: m.id, participant: m.id, message: m.id });
  assert.deepEqual(await t((tx) => owners(tx, sThread)), { conversation: s.id, participant: s.id, message: s.id });
  assert.equal((await t((tx) => findOrCreateContactByHandle(tx, { kind: 'email', value: 'm@example.com' }))).contactId, m.id);

  await assert.rejects(t((tx) => undoMerge(tx, merge.id, 'key-2')), isCode('conflict'));
  const types = await t((tx) => tx.trx('events').whereIn('type', ['contact.merged', 'contact.unmerged']).orderBy('seq').select('type', 'subject_id'));
  assert.deepEqual(types, [{ type: 'contact.merged', subject_id: s.id }, { type: 'contact.unmerged', subject_id: s.id }]);
  const history = await t((tx) => listMerges(tx, m.id));
  assert.deepEqual(history.data.map((x) => x.id), [merge.id]);
});

test('merging a contact with itself or with an already merged contact is unprocessable', async () => {
  const { orgId } = await h.newOrg();
  const t = <T>(fn: (tx: TenantTx) => Promise<T>) => h.engine.tenant(orgId, fn);
  const [a, b, c] = await t(async (tx) => [await createContact(tx, {}), await createContact(tx, {}), await createContact(tx, {})]);
  await assert.rejects(t((tx) => mergeContacts(tx, a.id, a.id, 'k')), isCode('unprocessable'));
  await t((tx) => mergeContacts(tx, a.id, b.id, 'k'));
  await assert.rejects(t((tx) => mergeContacts(tx, c.id, b.id, 'k')), isCode('unprocessable'));
  await assert.rejects(t((tx) => mergeContacts(tx, b.id, c.id, 'k')), isCode('unprocessable'));
  await assert.rejects(t((tx) => mergeContacts(tx, a.id, uuidv7(), 'k')), isCode('not_found'));
});

test('merges undo in reverse order: a survivor merged since must be unmerged first', async () => {
  const { orgId } = await h.newOrg();
  const t = <T>(fn: (tx: TenantTx) => Promise<T>) => h.engine.tenant(orgId, fn);
  const mk = (value: string) => t((tx) => createContact(tx, { handles: [{ kind: 'app_user', value }] }));
  const [a, b, c] = [await mk('a'), await mk('b'), await mk('c')];
  const first = await t((tx) => mergeContacts(tx, b.id, a.id, 'k'));
  const second = await t((tx) => mergeContacts(tx, c.id, b.id, 'k'));
  assert.deepEqual(second.contact.handles.map((x) => x.value).sort(), ['a', 'b', 'c']);
  assert.equal(await t((tx) => resolveContactId(tx, a.id)), c.id);
  await assert.rejects(t((tx) => undoMerge(tx, first.merge.id, 'k')), isCode('conflict'));
  await t((tx) => undoMerge(tx, second.merge.id, 'k'));
  await t((tx) => undoMerge(tx, first.merge.id, 'k'));
  for (const [x, v] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) {
    const view = await t((tx) => getContact(tx, x.id));
    assert.deepEqual([view.mergedInto, view.handles.map((y) => y.value)], [null, [v]]);
  }
  const page1 = await t((tx) => listMerges(tx, b.id, { limit: 1 }));
  assert.equal(page1.hasMore, true);
  const page2 = await t((tx) => listMerges(tx, b.id, { limit: 1, cursor: page1.nextCursor ?? undefined }));
  assert.deepEqual([page1.data[0].id, page2.data[0].id], [second.merge.id, first.merge.id]);
  assert.equal(page2.hasMore, false);
});
