import type { ConsentSettings } from './consent-settings.ts';

/**
 * Consent keywords: a message IS a keyword only when its whole text, trimmed and case-folded, is
 * one ("STOP PLEASE" is an ordinary message). Defaults follow CTIA and the carriers; an org's own
 * keywords are added, never substituted. Channels that carry them: SMS/MMS and WhatsApp.
 */
export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

export const DEFAULT_KEYWORDS: Record<KeywordKind, readonly string[]> = {
  opt_out: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  opt_in: ['START', 'YES', 'UNSTOP'],
  help: ['HELP', 'INFO'],
};

export const KEYWORD_CHANNELS = new Set(['sms', 'mms', 'whatsapp']);

export interface KeywordMatch {
  kind: KeywordKind;
  keyword: string;
}

export function detectKeyword(body: string | null | undefined, custom: ConsentSettings['keywords'] = {}): KeywordMatch | null {
  const word = (body ?? '').trim().toUpperCase();
  if (!word || /\s/.test(word)) return null;
  const lists: Record<KeywordKind, readonly string[]> = {
    opt_out: [...DEFAULT_KEYWORDS.opt_out, ...(custom.optOut ?? [])],
    opt_in: [...DEFAULT_KEYWORDS.opt_in, ...(custom.optIn ?? [])],
    help: [...DEFAULT_KEYWORDS.help, ...(custom.help ?? [])],
  };
  // Opt-out first: an org keyword that collides with another list never weakens an opt-out.
  for (const kind of ['opt_out', 'opt_in', 'help'] as const) {
    if (lists[kind].some((k) => k.toUpperCase() === word)) return { kind, keyword: word };
  }
  return null;
}

const DEFAULT_REPLIES: Record<KeywordKind, string> = {
  opt_out: '{org}: You are unsubscribed and will receive no further messages. Reply START to resubscribe.',
  opt_in: '{org}: You are subscribed again. {frequency}. Msg&data rates may apply. Reply HELP for help, STOP to opt out.',
  help: '{org}: Help at {helpContact}. {frequency}. Msg&data rates may apply. Reply STOP to opt out.',
};

const REPLY_KEY = { opt_out: 'optOut', opt_in: 'optIn', help: 'help' } as const;

/** The reply text for a keyword, the org's wording or the default, placeholders filled. */
export function keywordReply(kind: KeywordKind, settings: ConsentSettings, orgName: string): string {
  const template = settings.replies?.[REPLY_KEY[kind]] ?? DEFAULT_REPLIES[kind];
  const values: Record<string, string> = {
    org: orgName,
    helpContact: settings.helpContact ?? 'the number you received this from',
    frequency: settings.messageFrequency ?? 'Msg frequency varies',
  };
  return template.replace(/\{(org|helpContact|frequency)\}/g, (_, k: string) => values[k]!);
}
