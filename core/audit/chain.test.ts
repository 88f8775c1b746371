import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'vitest';
import { canonicalJson, entryHash, GENESIS, HASH_VERSION, type ChainFields } from './chain.ts';
import { auditView, buf, chainFields, type AuditRow } from './rows.ts';
import { userAgentHash } from './record.ts';

/**
 * The chain's arithmetic without a database: what exactly an entry's hash covers (every field,
 * its position and its predecessor's hash, nothing that only differs in key order), and how rows
 * become chain fields and API views. audit.test.ts checks the same against stored, tampered rows.
 */
const fields: ChainFields = {
  id: '0192e0a0-0000-7000-8000-000000000001',
  orgId: '0192e0a0-0000-7000-8000-0000000000aa',
  position: 7,
  actor: { type: 'api_key', id: 'key_1' },
  action: 'contact.merged',
  target: { type: 'contact', id: 'c_1' },
  details: { into: 'c_2', count: 2, nested: { b: 1, a: [3, { y: null, x: 'é' }] } },
  context: { ip: '203.0.113.9', userAgentHash: 'ab'.repeat(16) },
  createdAt: '2026-12-06T01:02:03.456789Z',
};

test('canonical JSON sorts keys at every depth, keeps array order, drops undefined members, writes null for undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } }), '{"a":{"c":"x","d":[2,1]},"b":1}');
  assert.equal(canonicalJson({ a: undefined, b: null }), '{"b":null}');
  assert.equal(canonicalJson([{ b: 2, a: 1 }, null, 'q"uote']), '[{"a":1,"b":2},null,"q\\"uote"]');
  assert.equal(canonicalJson(undefined), 'null');
  assert.equal(canonicalJson(null), 'null');
  assert.equal(canonicalJson(3.5), '3.5');
  assert.equal(canonicalJson(false), 'false');
  assert.equal(canonicalJson({}), '{}');
  assert.equal(canonicalJson([]), '[]');
  assert.equal(canonicalJson({ 'k"1': 1 }), '{"k\\"1":1}');
});

test('an entry hash is sha256(prev hash || canonical JSON of {v: 1, …fields})', () => {
  const prev = crypto.createHash('sha256').update('previous').digest();
  const expected = crypto.createHash('sha256').update(prev).update(canonicalJson({ ...fields, v: 1 })).digest();
  assert.equal(HASH_VERSION, 1);
  assert.deepEqual(entryHash(prev, fields), expected);
  assert.equal(GENESIS.length, 32);
  assert.ok(GENESIS.every((b) => b === 0));
  // Key order in the input does not matter; the JSON text does.
  const reordered = Object.fromEntries(Object.entries(fields).reverse()) as unknown as ChainFields;
  assert.deepEqual(entryHash(prev, reordered), expected);
});

test('the hash covers every field, the position and the predecessor', () => {
  const base = entryHash(GENESIS, fields).toString('hex');
  const variants: [string, ChainFields][] = [
    ['id', { ...fields, id: fields.id.replace(/1$/, '2') }],
    ['orgId', { ...fields, orgId: fields.orgId.replace(/a$/, 'b') }],
    ['position', { ...fields, position: 8 }],
    ['actor.type', { ...fields, actor: { ...fields.actor, type: 'user' } }],
    ['actor.id', { ...fields, actor: { ...fields.actor, id: null } }],
    ['action', { ...fields, action: 'contact.unmerged' }],
    ['target', { ...fields, target: null }],
    ['target.id', { ...fields, target: { type: 'contact', id: 'c_9' } }],
    ['details', { ...fields, details: { ...fields.details, count: 3 } }],
    ['details (nested)', { ...fields, details: { ...fields.details, nested: { b: 1, a: [3, { y: null, x: 'e' }] } } }],
    ['context.ip', { ...fields, context: { ...fields.context, ip: '203.0.113.10' } }],
    ['context.userAgentHash', { ...fields, context: { ...fields.context, userAgentHash: null } }],
    ['createdAt (a microsecond)', { ...fields, createdAt: '2026-12-06T01:02:03.456790Z' }],
  ];
  for (const [what, v] of variants) assert.notEqual(entryHash(GENESIS, v).toString('hex'), base, what);
  assert.notEqual(entryHash(Buffer.alloc(32, 1), fields).toString('hex'), base, 'prev hash');
});

const row = (over: Partial<AuditRow> = {}): AuditRow => ({
  id: fields.id,
  org_id: fields.orgId,
  actor_type: 'api_key',
  actor_id: 'key_1',
  action: 'contact.merged',
  target_type: 'contact',
  target_id: 'c_1',
  details: fields.details,
  ip: '203.0.113.9',
  user_agent_hash: 'ab'.repeat(16),
  created_at: fields.createdAt,
  position: '7',
  prev_hash: new Uint8Array(32),
  hash: Buffer.alloc(32, 0xff),
  tx: '100',
  seq: '1',
  ...over,
});

test('a stored row gives back the chain fields it was hashed from', () => {
  assert.deepEqual(chainFields(row(), 7), fields);
  assert.deepEqual(chainFields(row({ target_type: null, target_id: null, details: null }), 1), { ...fields, position: 1, target: null, details: {} });
  // A target without an id is still a target.
  assert.deepEqual(chainFields(row({ target_id: null }), 7).target, { type: 'contact', id: null });
});

test('the API view: position as a number (null unsealed), hashes as hex, no tx/seq', () => {
  const v = auditView(row());
  assert.deepEqual(v, {
    id: fields.id,
    object: 'audit_entry',
    position: 7,
    actor: fields.actor,
    action: fields.action,
    target: fields.target,
    details: fields.details,
    context: fields.context,
    createdAt: fields.createdAt,
    prevHash: '00'.repeat(32),
    hash: 'ff'.repeat(32),
  });
  const unsealed = auditView(row({ position: null, prev_hash: null, hash: null }));
  assert.equal(unsealed.position, null);
  assert.equal(unsealed.prevHash, null);
  assert.equal(unsealed.hash, null);
  assert.equal(auditView(row({ position: '0' })).position, 0);
  assert.equal(buf(null), null);
  assert.ok(Buffer.isBuffer(buf(new Uint8Array([1, 2]))));
});

test('the user agent is kept as the first 32 hex digits of its sha256, and not at all when absent', () => {
  const ua = 'Mozilla/5.0 (X11; Linux x86_64)';
  assert.equal(userAgentHash(ua), crypto.createHash('sha256').update(ua).digest('hex').slice(0, 32));
  assert.equal(userAgentHash(ua)!.length, 32);
  assert.equal(userAgentHash(''), null);
  assert.equal(userAgentHash(null), null);
  assert.equal(userAgentHash(undefined), null);
});
