import { test } from 'vitest';
import assert from 'node:assert/strict';
import { normalizeHandle } from './handles.ts';
import { AppError } from '../errors.ts';

const norm = (kind: string, value: string, country?: string) => normalizeHandle({ kind, value }, '/handles/0/value', country).value;

function rejects(kind: string, value: string, field = '/handles/0/value') {
  assert.throws(
    () => normalizeHandle({ kind, value }, '/handles/0/value'),
    (err: unknown) => err instanceof AppError && err.code === 'invalid_handle' && err.status === 400 && (err.details as any)[0].field === field,
    `${kind} "${value}" must be rejected`,
  );
}

test('phones in any international format normalize to one E.164 form', () => {
  for (const v of ['+1 (415) 555-0134', '+14155550134', '+1.415.555.0134', ' +1 415 555 0134 ', '+1-415-555-0134']) {
    assert.equal(norm('phone', v), '+14155550134', v);
  }
  assert.equal(norm('phone', '+44 20 7946 0958'), '+442079460958');
  assert.equal(norm('phone', '+49 30 901820'), '+4930901820');
});

test('national numbers need a default country, and use it', () => {
  assert.equal(norm('phone', '(415) 555-0134', 'US'), '+14155550134');
  assert.equal(norm('phone', '020 7946 0958', 'GB'), '+442079460958');
  assert.equal(norm('phone', '00 44 20 7946 0958', 'GB'), '+442079460958');
  rejects('phone', '(415) 555-0134');
});

test('invalid phone numbers are rejected with a field path', () => {
  for (const v of ['12345', '+1 555 0000', 'not a number', '+999 123', '   ']) rejects('phone', v);
});

test('emails are case-folded; mailto: is dropped; malformed ones are rejected', () => {
  assert.equal(norm('email', 'John.Doe@Example.COM'), 'john.doe@example.com');
  assert.equal(norm('email', 'mailto:Ops@Acme.io'), 'ops@acme.io');
  for (const v of ['john', 'john@', '@acme.io', 'a b@acme.io', 'john@acme']) rejects('email', v);
});

test('whatsapp ids are phone numbers with or without the whatsapp: prefix and plus sign', () => {
  for (const v of ['whatsapp:+14155550134', 'WhatsApp:+1 415 555 0134', '14155550134', '+14155550134']) {
    assert.equal(norm('whatsapp', v), '+14155550134', v);
  }
  rejects('whatsapp', 'whatsapp:12');
});

test('other kinds keep their value trimmed; unknown kinds point at the kind field', () => {
  assert.equal(norm('app_user', '  user_42 '), 'user_42');
  assert.equal(norm('app_user', 'User_42'), 'User_42');
  rejects('carrier_pigeon', 'coo', '/handles/0/kind');
  rejects('app_user', 'x'.repeat(257));
});
