import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError } from '../errors.ts';

/**
 * A handle is one way to reach a person: a phone number, an email address, a WhatsApp id, an
 * app user id… Each kind has one normal form; the blind index is computed over that form, so
 * "+1 (415) 555-0134" and "+14155550134" are the same handle.
 */
export const HANDLE_KINDS = ['phone', 'email', 'whatsapp', 'app_user', 'messenger', 'telegram', 'other'] as const;
export type HandleKind = (typeof HANDLE_KINDS)[number];

export interface HandleInput {
  kind: string;
  value: string;
}

export interface NormalizedHandle {
  kind: HandleKind;
  value: string;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function bad(field: string, reason: string): AppError {
  return new AppError('invalid_handle', `Invalid handle: ${reason}`, { details: [{ field, reason }] });
}

function e164(raw: string, field: string, defaultCountry?: string): string {
  const parsed = parsePhoneNumberFromString(raw.trim(), (defaultCountry as any) ?? undefined);
  if (!parsed || !parsed.isValid()) {
    throw bad(field, `"${raw}" is not a valid phone number; use international format, e.g. +14155550134`);
  }
  return parsed.number;
}

/**
 * @param field where the handle sits in the request, for the error's details (e.g. "/handles/0/value")
 * @param defaultCountry ISO country for numbers written without a country code
 */
export function normalizeHandle(input: HandleInput, field = '/value', defaultCountry?: string): NormalizedHandle {
  const kind = input.kind as HandleKind;
  if (!HANDLE_KINDS.includes(kind)) {
    throw bad(field.replace(/value$/, 'kind'), `kind must be one of ${HANDLE_KINDS.join(', ')}`);
  }
  const raw = String(input.value ?? '').trim();
  if (!raw) throw bad(field, 'value is empty');
  switch (kind) {
    case 'phone':
      return { kind, value: e164(raw, field, defaultCountry) };
    case 'whatsapp':
      // WhatsApp ids are phone numbers (Meta sends them without "+", Twilio as "whatsapp:+1…").
      return { kind, value: e164(raw.replace(/^whatsapp:/i, '').replace(/^(?=\d)/, '+'), field) };
    case 'email': {
      const v = raw.replace(/^mailto:/i, '').toLowerCase();
      if (!EMAIL.test(v) || v.length > 254) throw bad(field, `"${raw}" is not a valid email address`);
      return { kind, value: v };
    }
    default:
      if (raw.length > 256) throw bad(field, 'value is longer than 256 characters');
      return { kind, value: raw };
  }
}
