import type { TenantTx } from '../db/tenant.ts';
import { findHandle } from '../identity/contacts.ts';
import { normalizeHandle, type HandleInput } from '../identity/handles.ts';
import { createOutbound } from '../messages/outbound.ts';
import type { MessageView } from '../messages/views.ts';
import { orgSettings } from '../org-settings.ts';
import { effectiveBranding } from '../platforms/branding.ts';
import { consentKey, PURPOSES, recordConsent } from './consent.ts';
import { detectKeyword, KEYWORD_CHANNELS, keywordReply, type KeywordKind } from './keywords.ts';

/**
 * Consent from inbound traffic, in the transaction of the request that carried it:
 * - a keyword message (STOP, START, HELP… on SMS/MMS/WhatsApp) writes the ledger for every
 *   purpose on its channel and queues ONE reply (metadata.compliance 'confirmation': the single
 *   message the preflight lets through after an opt-out);
 * - a provider's own signal (Twilio Advanced Opt-Out's OptOutType, a SendGrid unsubscribe) writes
 *   the ledger with source 'provider' and no reply: the provider answered already, and a second
 *   confirmation is exactly what FCC 24-24 forbids.
 * HELP changes no consent; it only gets its reply.
 */
const STATUS_OF = { opt_out: 'opted_out', opt_in: 'opted_in' } as const;

export interface ProviderSignal {
  kind: KeywordKind;
  channel: string;
  connectionId: string;
  from: HandleInput;
  providerMessageId?: string;
  keyword?: string;
}

export async function recordProviderSignal(tx: TenantTx, s: ProviderSignal): Promise<void> {
  if (s.kind === 'help') return;
  const handle = normalizeHandle(s.from, '/from/value');
  const contact = await findHandle(tx, handle);
  await recordConsent(tx, {
    key: consentKey(tx, handle),
    contactId: contact?.contact_id ?? null,
    channel: s.channel,
    purposes: PURPOSES,
    status: STATUS_OF[s.kind],
    source: 'provider',
    evidence: { connectionId: s.connectionId, ...(s.providerMessageId ? { providerMessageId: s.providerMessageId } : {}), ...(s.keyword ? { keyword: s.keyword } : {}) },
    recordedBy: `connection:${s.connectionId}`,
  });
}

export interface InboundKeywordInput {
  message: MessageView;
  from: HandleInput;
  connectionId: string;
  /** The provider reported this message's consent signal itself (and replied): ledger only. */
  providerSignalled: boolean;
}

/** Returns the keyword found (null: an ordinary message). */
export async function handleInboundKeyword(tx: TenantTx, input: InboundKeywordInput): Promise<KeywordKind | null> {
  const { message } = input;
  if (!KEYWORD_CHANNELS.has(message.channel) || !message.body) return null;
  // Cheap test before reading settings: keywords are single words.
  if (/\s/.test(message.body.trim()) || message.body.trim().length > 20) return null;
  const settings = await orgSettings(tx.trx, tx.orgId);
  const match = detectKeyword(message.body, settings.consent.keywords);
  if (!match) return null;
  // Twilio Advanced Opt-Out tags the message with OptOutType and has replied already.
  const providerReplied = input.providerSignalled || typeof message.metadata?.optOutType === 'string';
  if (match.kind !== 'help' && !input.providerSignalled) {
    await recordConsent(tx, {
      key: consentKey(tx, input.from, '/from/value'),
      contactId: message.contactId,
      channel: message.channel,
      purposes: PURPOSES,
      status: STATUS_OF[match.kind],
      source: providerReplied ? 'provider' : 'keyword',
      evidence: { messageId: message.id, keyword: match.keyword, connectionId: input.connectionId },
      recordedBy: `connection:${input.connectionId}`,
    });
  }
  if (providerReplied) return match.kind;
  // {org} is the white-label display name (core/platforms/branding.ts), and the branding's support
  // contact answers HELP when the org set no helpContact of its own.
  const brand = await effectiveBranding(tx.trx, tx.orgId);
  const consent = { ...settings.consent, helpContact: settings.consent.helpContact ?? brand.supportEmail ?? brand.supportPhone ?? undefined };
  await createOutbound(tx, {
    channel: message.channel,
    conversationId: message.conversationId,
    connectionId: input.connectionId,
    body: keywordReply(match.kind, consent, brand.displayName),
    metadata: { compliance: 'confirmation', purpose: 'transactional', keyword: match.kind, inReplyTo: message.id },
  });
  return match.kind;
}
