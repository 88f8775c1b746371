import { createHash } from 'node:crypto';
import { phoneE164, type Handle } from '../kit/index.ts';

/**
 * AppFolio directory reports give phone numbers as one display string ("Mobile: (415) 555-0101,
 * Home: 415-555-0102") and e-mails as a comma-separated string; both are parsed here because
 * JSONata has no phone-number library. Numbers without a country code take the connection's.
 */
export interface RowHandles {
  phones: string[];
  emails: string[];
  /** The handle a contact is matched by: the first mobile-looking phone, else the first e-mail. */
  subject?: Handle;
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).flatMap((s) => (typeof s === 'string' ? s.split(/[,;\n]/) : []));

export function rowHandles(row: Record<string, unknown>, country: string): RowHandles {
  const phones: string[] = [];
  for (const raw of list(row.phone_numbers ?? row.phone_number ?? row.phone)) {
    const value = raw.replace(/^[^:]*:/, '').trim();
    const phone = phoneE164(value, country);
    if (phone && !phones.includes(phone)) phones.push(phone);
  }
  const emails: string[] = [];
  for (const raw of list(row.emails ?? row.email ?? row.email_address)) {
    const value = raw.trim().toLowerCase();
    if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) && !emails.includes(value)) emails.push(value);
  }
  const subject: Handle | undefined = phones[0] ? { kind: 'phone', value: phones[0] } : emails[0] ? { kind: 'email', value: emails[0] } : undefined;
  return { phones, emails, ...(subject ? { subject } : {}) };
}

/** A short digest of a row: a changed directory entry gets a new one (and a new external event id). */
export function rowDigest(row: unknown): string {
  return createHash('sha256').update(JSON.stringify(row)).digest('base64url').slice(0, 12);
}
