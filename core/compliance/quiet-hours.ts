import type { QuietHoursSettings } from './consent-settings.ts';
import { isValidZone, zonesOfPhone } from './quiet-hours-zones.ts';

/**
 * Quiet hours (TCPA: no solicitation before 8:00 or after 21:00 at the recipient's location).
 * The recipient's zones: the contact's own time zone, else where the phone number rings, else the
 * org's time zone. With several candidate zones every one must be inside the window.
 * A window whose start is after its end runs overnight; start = end means no quiet hours.
 */
const MINUTE = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function localMinutes(at: Date, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  const parts = f.formatToParts(at);
  const num = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return (num('hour') % 24) * 60 + num('minute');
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function inside(m: number, start: number, end: number): boolean {
  if (start === end) return true;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

export function recipientZones(opts: { contactTimezone?: string | null; phone?: string | null; orgTimezone?: string | null }): string[] {
  if (isValidZone(opts.contactTimezone)) return [opts.contactTimezone];
  const fromPhone = opts.phone ? zonesOfPhone(opts.phone).filter(isValidZone) : [];
  if (fromPhone.length) return fromPhone;
  return [isValidZone(opts.orgTimezone) ? opts.orgTimezone : 'UTC'];
}

/** null when `now` is inside the window in every zone; else the next moment it is. */
export function nextAllowedTime(now: Date, zones: string[], window: QuietHoursSettings): Date | null {
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const ok = (at: Date) => zones.every((z) => inside(localMinutes(at, z), start, end));
  if (ok(now)) return null;
  // The window opens for all zones when the last of them reaches its start: try each zone's next start.
  const base = Math.floor(now.getTime() / MINUTE) * MINUTE;
  const candidates = zones
    .flatMap((z) => {
      const d = (start - localMinutes(now, z) + 1440) % 1440 || 1440;
      return [base + d * MINUTE, base + (d + 1440) * MINUTE];
    })
    .sort((a, b) => a - b);
  for (const c of candidates) if (ok(new Date(c))) return new Date(c);
  // DST edges: fall back to a quarter-hour scan over two days.
  for (let t = base + 15 * MINUTE; t < base + 2880 * MINUTE; t += 15 * MINUTE) if (ok(new Date(t))) return new Date(t);
  // A window too narrow for the spread of zones never opens for all: look again in a day.
  return new Date(base + 1440 * MINUTE);
}
