import type { WidgetOptions } from './session.ts';

/** Whether `now` falls inside the business hours (in their time zone). No hours set: always open. */
export function isOpen(hours: WidgetOptions['businessHours'], now = new Date()): boolean {
  if (!hours) return true;
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
    const hm = `${get('hour').padStart(2, '0')}:${get('minute')}`;
    return hours.days.includes(day) && hm >= hours.open && hm < hours.close;
  } catch {
    return true; // an unknown time zone must not close the chat
  }
}
