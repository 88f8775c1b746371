import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DEFAULT_KEYWORDS, detectKeyword, KEYWORD_CHANNELS, keywordReply } from './keywords.ts';
import { nextAllowedTime, recipientZones } from './quiet-hours.ts';
import { quietHoursSettingsSchema } from './consent-settings.ts';
import { baaEligible, baaRefusal, notBaaEligible, thinEvent, thinEventData } from './hipaa.ts';
import { isUsLongCode, purposeOf, refusalError } from './preflight.ts';
import { consentChannel } from './consent.ts';

/**
 * Compliance decisions that are pure functions, at their edges: keyword matching (whole message,
 * any case, org keywords added, opt-out first), the quiet-hours window minute by minute at its
 * boundaries, HIPAA eligibility per connection and the thin feed, 10DLC long codes, purposes.
 * consent.test.ts, preflight.test.ts and hipaa.test.ts drive the same through the API.
 */
const settings = { keywords: {}, replies: {}, messageFrequency: 'Msg frequency varies' } as never;

test('a keyword is the whole message, trimmed, in any case; anything else is an ordinary message', () => {
  assert.deepEqual(detectKeyword('stop'), { kind: 'opt_out', keyword: 'STOP' });
  assert.deepEqual(detectKeyword('  Stop \n'), { kind: 'opt_out', keyword: 'STOP' });
  assert.deepEqual(detectKeyword('unstop'), { kind: 'opt_in', keyword: 'UNSTOP' });
  assert.deepEqual(detectKeyword('Info'), { kind: 'help', keyword: 'INFO' });
  for (const k of DEFAULT_KEYWORDS.opt_out) assert.equal(detectKeyword(k.toLowerCase())?.kind, 'opt_out', k);
  for (const k of DEFAULT_KEYWORDS.opt_in) assert.equal(detectKeyword(k)?.kind, 'opt_in', k);
  for (const k of DEFAULT_KEYWORDS.help) assert.equal(detectKeyword(k)?.kind, 'help', k);
  assert.deepEqual(DEFAULT_KEYWORDS.opt_out, ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
  for (const not of ['STOP PLEASE', 'please stop', 'STOP.', 'STOPS', 'S TOP', '', '   ', null, undefined]) assert.equal(detectKeyword(not as never), null, String(not));
});

test('org keywords are added to the defaults, matched in any case, and never turn an opt-out into something else', () => {
  const custom = { optOut: ['Basta'], optIn: ['Sí', 'STOP'], help: ['ayuda'] };
  assert.deepEqual(detectKeyword('BASTA', custom), { kind: 'opt_out', keyword: 'BASTA' });
  assert.deepEqual(detectKeyword('sí', custom), { kind: 'opt_in', keyword: 'SÍ' });
  assert.deepEqual(detectKeyword('Ayuda', custom), { kind: 'help', keyword: 'AYUDA' });
  assert.deepEqual(detectKeyword('stop', custom), { kind: 'opt_out', keyword: 'STOP' });
  assert.deepEqual(detectKeyword('STOP', { help: ['stop'] }), { kind: 'opt_out', keyword: 'STOP' });
  assert.deepEqual(detectKeyword('help', { optIn: ['HELP'] }), { kind: 'opt_in', keyword: 'HELP' });
  assert.equal(detectKeyword('basta'), null);
  assert.deepEqual([...KEYWORD_CHANNELS].sort(), ['mms', 'sms', 'whatsapp']);
});

test('keyword replies: the org’s wording or the default, every placeholder filled', () => {
  assert.equal(keywordReply('opt_out', settings, 'Acme'), 'Acme: You are unsubscribed and will receive no further messages. Reply START to resubscribe.');
  assert.equal(keywordReply('opt_in', settings, 'Acme'), 'Acme: You are subscribed again. Msg frequency varies. Msg&data rates may apply. Reply HELP for help, STOP to opt out.');
  assert.equal(keywordReply('help', settings, 'Acme'), 'Acme: Help at the number you received this from. Msg frequency varies. Msg&data rates may apply. Reply STOP to opt out.');
  const own = { keywords: {}, replies: { help: '{org} {org}: call {helpContact} ({frequency}) {other}' }, helpContact: '555-0100', messageFrequency: '2 msgs/week' } as never;
  assert.equal(keywordReply('help', own, 'Acme'), 'Acme Acme: call 555-0100 (2 msgs/week) {other}');
  assert.match(keywordReply('opt_out', own, 'Acme'), /^Acme: You are unsubscribed/);
});

test('quiet hours 08:00–21:00 (the default): 08:00 and 20:59 inside, 07:59 and 21:00 outside, the next opening exact', () => {
  assert.deepEqual(quietHoursSettingsSchema.default, { start: '08:00', end: '21:00' });
  const w = quietHoursSettingsSchema.default;
  const at = (hhmm: string) => new Date(`2026-12-07T${hhmm}:00Z`);
  assert.equal(nextAllowedTime(at('08:00'), ['UTC'], w), null);
  assert.equal(nextAllowedTime(at('20:59'), ['UTC'], w), null);
  assert.equal(nextAllowedTime(at('07:59'), ['UTC'], w)?.toISOString(), '2026-12-07T08:00:00.000Z');
  assert.equal(nextAllowedTime(at('21:00'), ['UTC'], w)?.toISOString(), '2026-12-08T08:00:00.000Z');
  assert.equal(nextAllowedTime(new Date('2026-12-07T07:59:30Z'), ['UTC'], w)?.toISOString(), '2026-12-07T08:00:00.000Z');
  assert.equal(nextAllowedTime(at('00:00'), ['UTC'], w)?.toISOString(), '2026-12-07T08:00:00.000Z');
  // Start = end: no quiet hours at all.
  for (const t of ['00:00', '12:00', '23:59']) assert.equal(nextAllowedTime(at(t), ['UTC'], { start: '09:00', end: '09:00' }), null, t);
  // Overnight windows: inside from start until end the next morning.
  const night = { start: '22:00', end: '06:00' };
  assert.equal(nextAllowedTime(at('05:59'), ['UTC'], night), null);
  assert.equal(nextAllowedTime(at('06:00'), ['UTC'], night)?.toISOString(), '2026-12-07T22:00:00.000Z');
  assert.equal(nextAllowedTime(at('22:00'), ['UTC'], night), null);
});

test('several zones: every one must be inside; the window opens when the last of them reaches its start', () => {
  const w = { start: '08:00', end: '21:00' };
  const zones = ['America/New_York', 'America/Los_Angeles'];
  // 13:00Z: 08:00 New York, 05:00 Los Angeles → waits for 08:00 in LA = 16:00Z.
  assert.equal(nextAllowedTime(new Date('2026-12-07T13:00:00Z'), zones, w)?.toISOString(), '2026-12-07T16:00:00.000Z');
  assert.equal(nextAllowedTime(new Date('2026-12-07T16:00:00Z'), zones, w), null);
  // 01:59Z = 20:59 in New York, 17:59 in LA: both inside; 02:00Z: New York is past 21:00.
  assert.equal(nextAllowedTime(new Date('2026-12-07T01:59:00Z'), zones, w), null);
  assert.equal(nextAllowedTime(new Date('2026-12-07T02:00:00Z'), zones, w)?.toISOString(), '2026-12-07T16:00:00.000Z');
  // A window too narrow for the spread never opens for all: look again in a day.
  const narrow = { start: '09:00', end: '10:00' };
  const now = new Date('2026-12-07T12:00:30Z');
  assert.equal(nextAllowedTime(now, ['Asia/Tokyo', 'America/New_York'], narrow)?.toISOString(), '2026-12-08T12:00:00.000Z');
});

test('recipient zones: the contact’s zone, else the number’s, else the org’s, else UTC', () => {
  assert.deepEqual(recipientZones({ contactTimezone: 'Europe/Paris', phone: '+14155550100', orgTimezone: 'Asia/Tokyo' }), ['Europe/Paris']);
  assert.deepEqual(recipientZones({ contactTimezone: 'Not/AZone', phone: '+14155550100' }), ['America/Los_Angeles']);
  assert.deepEqual(recipientZones({ contactTimezone: null, phone: null, orgTimezone: 'Asia/Tokyo' }), ['Asia/Tokyo']);
  assert.deepEqual(recipientZones({ phone: 'not a phone', orgTimezone: 'Asia/Tokyo' }), ['Asia/Tokyo']);
  assert.deepEqual(recipientZones({}), ['UTC']);
});

test('HIPAA: eligible when the connector says so, or per connection when its BAA flag is set; never WhatsApp', () => {
  assert.equal(baaEligible(undefined), false);
  assert.equal(baaEligible({ baaEligible: false }), false);
  assert.equal(baaEligible({ baaEligible: true }), true);
  assert.equal(baaEligible({ baaEligible: true }, 'sms'), true);
  assert.equal(baaEligible({ baaEligible: true }, 'whatsapp'), false);
  const flagged = { baaEligible: { configField: 'baaSigned' } } as never;
  assert.equal(baaEligible(flagged, 'email', { baaSigned: true }), true);
  assert.equal(baaEligible(flagged, 'email', { baaSigned: 'true' }), false);
  assert.equal(baaEligible(flagged, 'email', {}), false);
  assert.equal(baaEligible(flagged, 'email'), false);
  assert.equal(baaRefusal({ id: 'ok', baaEligible: true }, {}), null);
  assert.equal(baaRefusal({ id: 'flag', ...(flagged as object) } as never, { baaSigned: true }), null);
  const needsFlag = baaRefusal({ id: 'flag', ...(flagged as object) } as never, {})!;
  assert.equal(needsFlag.code, 'connection_not_baa_covered');
  assert.equal(needsFlag.status, 422);
  assert.deepEqual((needsFlag as any).details, [{ field: '/config/baaSigned', reason: 'must be true in HIPAA mode (the endpoint is covered by a BAA)', connector: 'flag' }]);
  const never = baaRefusal({ id: 'nope', baaEligible: false } as never, {})!;
  assert.equal(never.code, 'connector_not_baa_eligible');
  assert.deepEqual((never as any).details, [{ field: '/connector', reason: 'not BAA-eligible', connector: 'nope' }]);
  const wa = notBaaEligible('twilio', 'whatsapp');
  assert.match(wa.message, /the twilio connector \(whatsapp\) is not BAA-eligible/);
  assert.deepEqual((wa as any).details, [{ field: '/connector', reason: 'not BAA-eligible', connector: 'twilio', channel: 'whatsapp' }]);
  assert.doesNotMatch(notBaaEligible('twilio').message, /\(/);
});

test('the thin feed keeps ids, parties, status and times, and nothing of content', () => {
  const data = {
    messageId: 'm1', id: 'e1', from: '+1415', to: '+1212', status: 'sent', at: '2026-12-07T00:00:00Z', errorCode: null,
    body: 'secret', subject: 'hi', contact: { id: 'c1', name: 'Dana' }, conversation: { name: 'x' }, count: 3, paid: 'yes', ids: ['a'], identity: 'x', width: 'Id',
    statusText: 'leaks', idle: 'no', toAddress: 'a@b',
    // Each name anchored both ends: near misses on either side stay out.
    xid: 'x', Idx: 'x', replyfrom: 'x', fromName: 'x', auto: 'x', tomorrow: 'x', lastStatus: 'x', atlas: 'x', chat: 'x', errorCodes: 'x', lastErrorCode: 'x',
  };
  assert.deepEqual(thinEventData(data), { thin: true, messageId: 'm1', id: 'e1', from: '+1415', to: '+1212', status: 'sent', at: '2026-12-07T00:00:00Z', errorCode: null, contact: { id: 'c1' } });
  assert.deepEqual(thinEventData({ messageId: 5, contact: { id: 7 } }), { thin: true });
  const e = { id: 'e', type: 'message.created', data: { body: 'x', messageId: 'm' } };
  assert.deepEqual(thinEvent(e), { id: 'e', type: 'message.created', data: { thin: true, messageId: 'm' } });
  assert.deepEqual(e.data, { body: 'x', messageId: 'm' });
});

test('10DLC long codes: +1 US ten-digit numbers that are not toll-free', () => {
  assert.equal(isUsLongCode('+14155550100'), true);
  assert.equal(isUsLongCode('+12125550100'), true);
  for (const tf of ['800', '833', '844', '855', '866', '877', '888']) assert.equal(isUsLongCode(`+1${tf}5550100`), false, tf);
  assert.equal(isUsLongCode('+16135550100'), false, 'Canada');
  assert.equal(isUsLongCode('+141555501000'), false);
  assert.equal(isUsLongCode('+1415555010'), false);
  assert.equal(isUsLongCode('14155550100'), false);
  assert.equal(isUsLongCode('x+14155550100'), false);
  assert.equal(isUsLongCode('12345'), false);
});

test('purpose and consent channel: only an explicit marketing purpose is marketing; MMS consent is SMS consent', () => {
  assert.equal(purposeOf({ purpose: 'marketing' }), 'marketing');
  assert.equal(purposeOf({ purpose: 'Marketing' }), 'transactional');
  assert.equal(purposeOf({}), 'transactional');
  assert.equal(purposeOf(null), 'transactional');
  assert.equal(purposeOf(undefined), 'transactional');
  assert.equal(consentChannel('mms'), 'sms');
  assert.equal(consentChannel('sms'), 'sms');
  assert.equal(consentChannel('whatsapp'), 'whatsapp');
});

test('a refusal as an API error: the first reason’s code, and the next allowed time when deferred', () => {
  const defer = new Date('2026-12-07T16:00:00Z');
  const err = refusalError({ reasons: [{ code: 'quiet_hours', message: 'quiet' }, { code: 'other', message: 'x' }], defer } as never);
  assert.equal(err.code, 'quiet_hours');
  assert.deepEqual((err as any).details, [{ reason: 'quiet', code: 'quiet_hours', nextAllowedAt: '2026-12-07T16:00:00.000Z' }]);
  const plain = refusalError({ reasons: [{ code: 'opted_out', message: 'no' }] } as never);
  assert.deepEqual((plain as any).details, [{ reason: 'no', code: 'opted_out' }]);
});
