import { test } from 'vitest';
import assert from 'node:assert/strict';
import { countByType, patternProblem, redact, redactForEgress } from './redaction.ts';

const types = (text: string, patterns?: { name: string; regex: string; replacement?: string }[]) =>
  redact(text, { patterns }).findings.map((f) => f.type);

test('payment cards (Visa, Mastercard, Amex; plain, spaced, dashed) are redacted keeping the last 4', () => {
  for (const [number, last4] of [
    ['4111111111111111', '1111'],
    ['4111 1111 1111 1111', '1111'],
    ['4012-8888-8888-1881', '1881'],
    ['5555555555554444', '4444'],
    ['5105 1051 0510 5100', '5100'],
    ['378282246310005', '0005'],
    ['3714-496353-98431', '8431'],
  ]) {
    const text = `my card is ${number}, thanks`;
    const r = redact(text);
    assert.equal(r.text, `my card is [redacted card ••••${last4}], thanks`, number);
    assert.deepEqual(r.findings, [{ type: 'card', start: 11, end: 11 + number.length }]);
    assert.equal(text.slice(r.findings[0]!.start, r.findings[0]!.end), number);
  }
});

test('digit runs that fail Luhn or are not 13–19 digits long are not cards', () => {
  for (const text of [
    'Order 1234-5678-9012 ships Tuesday',
    'Order #4111111111111112',
    'ref 4111 1111 1111 1112',
    'call 415 555 0134 or 415 555 0199 today', // two phones side by side: one 20-digit run, never a sub-run
    '41111111111111111111', // 20 digits
  ]) {
    assert.deepEqual(redact(text).findings, [], text);
    assert.equal(redact(text).text, text);
  }
});

test('SSNs: dashed in the issued ranges, bare 9 digits only when labelled', () => {
  assert.equal(redact('SSN 212-34-5678 on file').text, 'SSN [redacted ssn] on file');
  assert.equal(redact('it is 772-10-0001.').text, 'it is [redacted ssn].');
  for (const invalid of ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000']) {
    assert.deepEqual(types(`number ${invalid}`), [], invalid);
  }
  assert.equal(redact('SSN: 212345678').text, 'SSN: [redacted ssn]');
  assert.equal(redact('Social Security Number is 212345678!').text, 'Social Security Number is [redacted ssn]!');
  assert.deepEqual(types('ssn 666123456'), []);
  assert.deepEqual(types('ticket 212345678'), [], 'bare 9 digits without a label stay');
});

test('routing numbers need the ABA checksum and a bank word nearby; account numbers need a label', () => {
  assert.equal(redact('Routing number 021000021').text, 'Routing number [redacted routing number]');
  assert.deepEqual(types('wire to ABA 011000015 please'), ['routing_number']);
  assert.deepEqual(types('Routing 021000022'), [], 'bad checksum');
  assert.deepEqual(types('tracking 021000021'), [], 'no bank word');
  assert.equal(redact('Account number: 12345678901').text, 'Account number: [redacted account number]');
  assert.equal(redact('acct #123456 and routing 021000021').text, 'acct #[redacted account number] and routing [redacted routing number]');
  assert.deepEqual(types('account 12345'), [], 'too short');
  assert.deepEqual(types('invoice 12345678901'), [], 'not labelled');
});

test('no false positives on ordinary text: order numbers, phones, dates, ZIP codes, times', () => {
  for (const text of [
    'Order 1234-5678-9012',
    'Order number 998877665544',
    'Call (415) 555-0134 or +1 415-555-0134 or 4155550134',
    'Due 2024-11-27, moved to 11/28/2024',
    'ZIP 94107 or 94107-1234 or 941071234',
    'Unit 4B, 12:30pm, $1,234.56',
  ]) {
    assert.deepEqual(redact(text).findings, [], text);
  }
});

test('org patterns redact with their own replacement, after the built-ins, and findings carry no values', () => {
  const patterns = [
    { name: 'mrn', regex: 'MRN-\\d{6}' },
    { name: 'claim', regex: 'CLM[0-9]{4}', replacement: '[claim]' },
  ];
  const r = redact('MRN-123456 CLM0042 card 4111111111111111 CLM9', { patterns });
  assert.equal(r.text, '[redacted mrn] [claim] card [redacted card ••••1111] CLM9');
  assert.deepEqual(r.findings.map((f) => Object.keys(f).sort()), [['end', 'start', 'type'], ['end', 'start', 'type'], ['end', 'start', 'type']]);
  assert.deepEqual(redact('MRN-000001').findings, [], 'without the org pattern nothing is found');
  assert.deepEqual(countByType(redact('MRN-1 MRN-123456 MRN-654321 card 4111111111111111', { patterns }).findings), [
    { type: 'mrn', count: 2 },
    { type: 'card', count: 1 },
  ]);
});

test('pattern checks refuse what does not compile or could backtrack catastrophically', () => {
  for (const ok of ['MRN-\\d{6}', '(ab|cd)+', '[(+*)]+x', '(\\d{3}-)?\\d{4}', 'a+?b']) assert.equal(patternProblem(ok), null, ok);
  assert.match(patternProblem('(')!, /not a valid/);
  assert.match(patternProblem('x'.repeat(201))!, /at most 200/);
  assert.match(patternProblem('a*')!, /empty string/);
  assert.match(patternProblem('(a)x\\1')!, /backreference/);
  for (const bad of ['(a+)+b', '(\\w*\\s?)*x', '(?:x\\d+){2,}', '((ab)*c)+']) assert.match(patternProblem(bad)!, /nests quantifiers/, bad);
});

test('redactForEgress redacts only when safe mode is on, in either mode', () => {
  const text = 'pay with 4111111111111111';
  assert.equal(redactForEgress(text, { enabled: false, apply: 'before_egress' }), text);
  assert.equal(redactForEgress(text, { enabled: true, apply: 'before_egress' }), 'pay with [redacted card ••••1111]');
  assert.equal(redactForEgress(text, { enabled: true, apply: 'before_storage' }), 'pay with [redacted card ••••1111]');
  assert.equal(redactForEgress(null, { enabled: true, apply: 'before_egress' }), null);
  // Already-redacted text is stable.
  assert.equal(redactForEgress('[redacted card ••••1111]', { enabled: true, apply: 'before_egress' }), '[redacted card ••••1111]');
});

test('redaction stays linear on long adversarial input', () => {
  const text = '1 '.repeat(100_000) + '4-'.repeat(50_000) + 'account '.repeat(20_000);
  const t0 = Date.now();
  redact(text);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});
