import assert from 'node:assert/strict';
import { test } from 'vitest';
import { nextAllowedTime } from '../core/compliance/quiet-hours.ts';
import { inRange, localTime } from './hours.ts';
import { evaluate } from './operators.ts';
import type { RuleContext } from './context.ts';

/**
 * The hours operators against the compliance rule they mirror: in_quiet_hours is "outside the
 * org's sending window", the window the send path enforces (core/compliance/quiet-hours.ts). The
 * two must agree at every minute, including the edges and a window whose start equals its end,
 * which compliance reads as "no quiet hours" (always open).
 */
const ctxAt = (at: Date, zone: string, sendingWindow: { start: string; end: string }, businessHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }) =>
  ({
    org: { id: 'o', name: 'Org', timezone: zone, businessHours, sendingWindow },
    time: { iso: at.toISOString(), hour: localTime(at, zone).hour, weekday: localTime(at, zone).weekday, orgLocal: localTime(at, zone), contactLocal: null },
    results: {},
    causedBy: null,
    event: {},
  }) as unknown as RuleContext;

const quiet = (ctx: RuleContext) => evaluate({ in_quiet_hours: [] }, ctx).matched;
const open = (ctx: RuleContext) => evaluate({ within_business_hours: [] }, ctx).matched;

test('local time: date, HH:MM with leading zeros, weekday, in the zone asked for', () => {
  assert.deepEqual(localTime(new Date('2026-12-07T05:04:00Z'), 'America/Chicago'), {
    timezone: 'America/Chicago', date: '2026-12-06', hour: 23, minute: 4, time: '23:04', weekday: 'sun',
  });
  assert.equal(localTime(new Date('2026-12-07T00:05:00Z'), 'UTC').time, '00:05');
});

test('in_quiet_hours is never true when the sending window starts where it ends (compliance: no quiet hours)', () => {
  for (const hhmm of ['00:00', '09:00', '21:30']) {
    for (const iso of ['2026-12-07T00:00:00Z', '2026-12-07T09:00:00Z', '2026-12-07T12:34:00Z', '2026-12-07T21:30:00Z', '2026-12-07T23:59:00Z']) {
      const at = new Date(iso);
      const w = { start: hhmm, end: hhmm };
      assert.equal(nextAllowedTime(at, ['UTC'], w), null, `compliance lets ${iso} through for ${hhmm}-${hhmm}`);
      assert.equal(quiet(ctxAt(at, 'UTC', w)), false, `${iso} is not quiet for ${hhmm}-${hhmm}`);
    }
  }
});

test('in_quiet_hours agrees with the send path at the edges of daytime and overnight windows, in the org zone', () => {
  const windows = [
    { start: '08:00', end: '21:00' },
    { start: '21:00', end: '08:00' },
    { start: '00:00', end: '23:59' },
  ];
  const zone = 'America/Chicago';
  // Every quarter hour of a day plus the minutes either side of each edge (local 07:59, 08:00, 20:59, 21:00 …).
  const base = Date.parse('2026-12-07T06:00:00Z'); // 00:00 in Chicago (UTC-6)
  const minutes = new Set<number>();
  for (let m = 0; m < 1440; m += 15) minutes.add(m);
  for (const edge of [0, 8 * 60, 21 * 60, 23 * 60 + 59]) for (const d of [-1, 0, 1]) minutes.add((edge + d + 1440) % 1440);
  for (const w of windows) {
    for (const m of minutes) {
      const at = new Date(base + m * 60_000);
      const sendPathQuiet = nextAllowedTime(at, [zone], w) !== null;
      assert.equal(quiet(ctxAt(at, zone, w)), sendPathQuiet, `${localTime(at, zone).time} local, window ${w.start}-${w.end}`);
    }
  }
  // Spot checks that mean what they say: 07:59 and 21:00 are quiet for 08:00–21:00, 08:00 and 20:59 are not.
  const day = { start: '08:00', end: '21:00' };
  const local = (hhmm: string) => new Date(base + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000);
  assert.deepEqual(['07:59', '08:00', '20:59', '21:00'].map((t) => quiet(ctxAt(local(t), zone, day))), [true, false, false, true]);
});

test('the contact zone, when known, decides in_quiet_hours over the org zone', () => {
  const at = new Date('2026-12-07T13:00:00Z'); // 07:00 in Chicago, 14:00 in Berlin
  const ctx = ctxAt(at, 'America/Chicago', { start: '08:00', end: '21:00' });
  assert.equal(quiet(ctx), true);
  (ctx.time as { contactLocal: unknown }).contactLocal = localTime(at, 'Europe/Berlin');
  assert.equal(quiet(ctx), false);
});

test('within_business_hours: the listed weekdays (sun..sat, as the context names them), start inclusive, end exclusive; start = end is all day', () => {
  const monday = (hhmm: string) => new Date(`2026-12-07T${hhmm}:00Z`);
  const w = { start: '08:00', end: '21:00' };
  assert.equal(localTime(monday('10:00'), 'UTC').weekday, 'mon');
  assert.deepEqual(['08:59', '09:00', '16:59', '17:00'].map((t) => open(ctxAt(monday(t), 'UTC', w))), [false, true, true, false]);
  // Sunday is not in the default days.
  assert.equal(open(ctxAt(new Date('2026-12-06T10:00:00Z'), 'UTC', w)), false);
  assert.equal(open(ctxAt(new Date('2026-12-06T10:00:00Z'), 'UTC', w, { days: ['sun'], start: '09:00', end: '17:00' })), true);
  // Same start and end: the whole day, as compliance reads such a window.
  for (const t of ['00:00', '09:00', '23:59']) assert.equal(open(ctxAt(monday(t), 'UTC', w, { days: ['mon'], start: '09:00', end: '09:00' })), true, t);
  // Overnight hours wrap midnight.
  assert.deepEqual(['21:59', '22:00', '05:59', '06:00'].map((t) => inRange(localTime(monday(t), 'UTC'), '22:00', '06:00')), [false, true, true, false]);
});
