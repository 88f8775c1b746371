import assert from 'node:assert/strict';
import { test } from 'vitest';
import { checkChannel, handleKindsFor, KNOWN_CHANNELS, needsHandle, normalizeAddress } from './channels.ts';
import { MAX_TAG_LENGTH, MAX_TAGS, normalizeTag, normalizeTags } from './assignment.ts';

/**
 * The conversation rules that are pure functions: channel names by shape, which handles reach a
 * channel, our address in one spelling per address (so threading compares like with like), and
 * tags in one spelling per tag. threading.test.ts and the API tests drive them end to end.
 */
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err: any) {
    assert.equal(err.status, 400, String(err));
    return { field: err.details?.[0]?.field as string, reason: err.details?.[0]?.reason as string };
  }
  assert.fail('expected a 400');
};

test('channel names: lowercase, a letter first, letters/digits/underscore, at most 32', () => {
  for (const ok of [...KNOWN_CHANNELS, 'x', 'telegram', 'a_2', 'a'.repeat(32)]) assert.equal(checkChannel(ok), ok);
  for (const bad of ['', 'SMS', '2way', '_sms', 'sms-2', 'a'.repeat(33), ' sms', 'sms\n']) {
    assert.equal(fieldOf(() => checkChannel(bad)).field, '/channel', JSON.stringify(bad));
  }
  assert.deepEqual(fieldOf(() => checkChannel('Bad', '/messages/0/channel')), { field: '/messages/0/channel', reason: 'must be a lowercase channel name such as sms, email, whatsapp or chat' });
});

test('which handle kinds reach a channel, in order of preference, and which channels need one', () => {
  assert.deepEqual(handleKindsFor('sms'), ['phone']);
  assert.deepEqual(handleKindsFor('mms'), ['phone']);
  assert.deepEqual(handleKindsFor('whatsapp'), ['whatsapp', 'phone']);
  assert.deepEqual(handleKindsFor('email'), ['email']);
  assert.deepEqual(handleKindsFor('chat'), ['app_user']);
  assert.deepEqual(handleKindsFor('messenger'), ['messenger']);
  assert.deepEqual(handleKindsFor('telegram'), ['telegram']);
  assert.deepEqual(handleKindsFor('pigeon'), []);
  for (const c of ['sms', 'mms', 'whatsapp', 'email', 'messenger', 'telegram']) assert.equal(needsHandle(c), true, c);
  for (const c of ['chat', 'webchat', 'pigeon']) assert.equal(needsHandle(c), false, c);
});

test('our address: E.164 for valid phone numbers (whatsapp: prefix dropped), lower-cased email without mailto:, null when blank', () => {
  assert.equal(normalizeAddress('+1 (415) 555-0199'), '+14155550199');
  assert.equal(normalizeAddress('whatsapp:+14155550199'), '+14155550199');
  assert.equal(normalizeAddress('WhatsApp:+1 415 555 0199'), '+14155550199');
  assert.equal(normalizeAddress('  +14155550199  '), '+14155550199');
  // Not a valid number: kept as given (trimmed), not guessed at.
  assert.equal(normalizeAddress('+1555'), '+1555');
  assert.equal(normalizeAddress('4155550199'), '4155550199');
  assert.equal(normalizeAddress('MAILTO:Support@Example.COM'), 'support@example.com');
  assert.equal(normalizeAddress(' Support@Example.com '), 'support@example.com');
  assert.equal(normalizeAddress('123456789012345'), '123456789012345');
  assert.equal(normalizeAddress('PhoneNumberId'), 'PhoneNumberId');
  // Prefixes count only at the start; a number libphonenumber cannot read or call valid stays as given.
  assert.equal(normalizeAddress('ops+whatsapp:1@Example.com'), 'ops+whatsapp:1@example.com');
  assert.equal(normalizeAddress('a.mailto:b@example.com'), 'a.mailto:b@example.com');
  assert.equal(normalizeAddress('+1 555'), '+1 555');
  assert.equal(normalizeAddress('+abc'), '+abc');
  assert.equal(normalizeAddress(''), null);
  assert.equal(normalizeAddress('   '), null);
  assert.equal(normalizeAddress('whatsapp:'), null);
  assert.equal(normalizeAddress(null), null);
  assert.equal(normalizeAddress(undefined), null);
});

test('tags: trimmed, lower-cased, NFC, inner whitespace as one dash; empty, too long, commas and control characters refused', () => {
  assert.equal(normalizeTag('  VIP  Customer ', '/tags/0'), 'vip-customer');
  assert.equal(normalizeTag('a\t\nb', '/tags/0'), 'a-b');
  assert.equal(normalizeTag('Cafe\u0301', '/tags/0'), 'caf\u00e9');
  assert.equal(normalizeTag('x'.repeat(MAX_TAG_LENGTH), '/tags/0'), 'x'.repeat(50));
  assert.equal(MAX_TAG_LENGTH, 50);
  assert.deepEqual(fieldOf(() => normalizeTag('   ', '/tags/3')), { field: '/tags/3', reason: 'a tag cannot be empty' });
  assert.match(fieldOf(() => normalizeTag('x'.repeat(51), '/tags/0')).reason, /at most 50/);
  assert.match(fieldOf(() => normalizeTag('a,b', '/tags/0')).reason, /commas/);
  assert.match(fieldOf(() => normalizeTag('a\u0000b', '/tags/0')).reason, /control/);
  assert.match(fieldOf(() => normalizeTag('a\u200bb', '/tags/0')).reason, /control/);
});

test('tag lists: one spelling each, first occurrence order kept, at most 20, errors point at the item', () => {
  assert.deepEqual(normalizeTags(['B', 'a', ' b ', 'A', 'c']), ['b', 'a', 'c']);
  assert.deepEqual(normalizeTags([]), []);
  assert.equal(MAX_TAGS, 20);
  const twenty = Array.from({ length: 20 }, (_, i) => `t${i}`);
  assert.equal(normalizeTags(twenty).length, 20);
  // 21 given, 20 after duplicates are dropped: allowed.
  assert.equal(normalizeTags([...twenty, 'T0']).length, 20);
  assert.deepEqual(fieldOf(() => normalizeTags([...twenty, 't20'])), { field: '/tags', reason: 'a conversation has at most 20 tags' });
  assert.equal(fieldOf(() => normalizeTags(['ok', ''], '/add')).field, '/add/1');
});
