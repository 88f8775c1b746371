/**
 * Wall-clock arithmetic in a time zone, for the time context and the hours operators. Intl does
 * the zone work (DST included); no date library needed.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface LocalTime {
  timezone: string;
  /** YYYY-MM-DD in the zone. */
  date: string;
  hour: number;
  minute: number;
  /** "HH:MM" */
  time: string;
  weekday: Weekday;
}

export function localTime(at: Date, timezone: string): LocalTime {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  return {
    timezone,
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour,
    minute,
    time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
    weekday: String(parts.weekday).toLowerCase().slice(0, 3) as Weekday,
  };
}

export function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * start ≤ t < end; a range whose end is before its start wraps midnight (21:00–08:00); start = end
 * is the whole day, as compliance reads a sending window (core/compliance/quiet-hours.ts: no quiet
 * hours), so in_quiet_hours never holds for it and business hours 09:00–09:00 are all day.
 */
export function inRange(t: LocalTime, start: string, end: string): boolean {
  const now = t.hour * 60 + t.minute;
  const s = minutes(start);
  const e = minutes(end);
  if (s === e) return true;
  return s < e ? now >= s && now < e : now >= s || now < e;
}
