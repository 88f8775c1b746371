import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { invalid } from '../errors.ts';

/**
 * Channels are open-ended (a connector may bring a new one), so they are validated by shape, not
 * by a closed list. The handle kinds say which of a contact's handles can be reached on a channel,
 * in order of preference (WhatsApp ids are phone numbers, so a phone handle will do).
 */
export const KNOWN_CHANNELS = ['sms', 'mms', 'email', 'whatsapp', 'chat'] as const;
export type Channel = (typeof KNOWN_CHANNELS)[number] | (string & {});

export const CHANNEL_PATTERN = '^[a-z][a-z0-9_]{0,31}$';
const CHANNEL_RE = new RegExp(CHANNEL_PATTERN);

const HANDLE_KINDS: Record<string, string[]> = {
  sms: ['phone'],
  mms: ['phone'],
  whatsapp: ['whatsapp', 'phone'],
  email: ['email'],
  chat: ['app_user'],
  messenger: ['messenger'],
  telegram: ['telegram'],
};

/** Channels where a message cannot leave without a handle of the contact (chat reaches the contact in-app). */
const NEEDS_HANDLE = new Set(['sms', 'mms', 'whatsapp', 'email', 'messenger', 'telegram']);

export function checkChannel(channel: string, field = '/channel'): Channel {
  if (!CHANNEL_RE.test(channel)) throw invalid(field, 'must be a lowercase channel name such as sms, email, whatsapp or chat');
  return channel;
}

export const handleKindsFor = (channel: string): string[] => HANDLE_KINDS[channel] ?? [];
export const needsHandle = (channel: string): boolean => NEEDS_HANDLE.has(channel);

/**
 * Our side of a conversation (the Twilio number, the inbound email address, the WhatsApp phone
 * number id) in one form per address, so threading compares like with like. Chat has none.
 */
export function normalizeAddress(address: string | null | undefined): string | null {
  const raw = (address ?? '').trim().replace(/^whatsapp:/i, '');
  if (!raw) return null;
  if (raw.includes('@')) return raw.replace(/^mailto:/i, '').toLowerCase();
  if (raw.startsWith('+')) {
    const phone = parsePhoneNumberFromString(raw);
    if (phone?.isValid()) return phone.number;
  }
  return raw;
}
