import { test } from 'vitest';
import assert from 'node:assert/strict';
import { phoneE164 } from './phones.ts';

test('phoneE164: vendor formats → E.164; numbers without a country code read in the given country; what cannot be a number → undefined', () => {
  for (const v of ['(415) 555-0134', '415.555.0134', '4155550134', '14155550134', '+1 415 555 0134', '1-415-555-0134']) assert.equal(phoneE164(v), '+14155550134', v);
  assert.equal(phoneE164('+44 20 7946 0958'), '+442079460958');
  assert.equal(phoneE164('020 7946 0958', 'GB'), '+442079460958');
  for (const v of ['555-0199', 'ask front desk', '', '   ', undefined, null, 4155550134]) assert.equal(phoneE164(v), undefined, String(v));
});
