import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * A phone number as a vendor keeps it ("(415) 555-0134", "4155550134", "+44 20 7946 0958") in
 * E.164, or undefined when it is no valid number. Numbers written without a country code are read
 * in `country` (ISO 3166 alpha-2; most of our vendors are US / Canada systems).
 */
export function phoneE164(value: unknown, country = 'US'): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const parsed = parsePhoneNumberFromString(value.trim(), country as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}
