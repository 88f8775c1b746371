import { test } from 'vitest';
import assert from 'node:assert/strict';
import { cut, summarize } from './summary.ts';
import { redactForEgress } from '../../core/compliance/redaction.ts';

const SAFE = { enabled: true, apply: 'before_egress' as const, patterns: [] };
const CARD = '4111 1111 1111 1111';

test('a long sentence is cut before a card number, never inside it: the redactor still sees the whole number or none of it', () => {
  // Slide the card number across the cut point: wherever the summary's cut falls, no digit group of
  // the card may reach the (redacted) summary.
  for (let pad = 0; pad < 60; pad++) {
    const text = `${'x'.repeat(pad)} hi, the sink in 4B is leaking again and I paid the plumber last week with my card ${CARD} but nobody came and the water is still coming through the kitchen ceiling every single night, this is the third time I have asked about it and I want a refund of the whole visit`;
    const summary = summarize([{ direction: 'inbound', text }]);
    const out = redactForEgress(summary, SAFE)!;
    assert.doesNotMatch(out, /1111/, `pad ${pad}: ${out}`);
  }
});

test('a short sentence with a card keeps it whole, and redaction replaces it', () => {
  const summary = summarize([{ direction: 'inbound', text: `I paid with ${CARD} for unit 4B.` }]);
  assert.match(summary, /4111 1111 1111 1111/);
  assert.match(redactForEgress(summary, SAFE)!, /\[redacted card ••••1111\]/);
});

test('cut: at a word boundary, before a digit run that the limit falls in', () => {
  assert.equal(cut('call me on 555-123-4567 tomorrow', 14), 'call me on');
  assert.equal(cut('my card 4111-1111-1111-1111 is on file', 20), 'my card');
  assert.equal(cut('leaking again in the kitchen', 12), 'leaking');
  assert.equal(cut('leaking again in the kitchen', 13), 'leaking again');
});
