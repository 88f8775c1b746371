import type { ConsentEvent } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { recordProviderSignal } from '../compliance/consent-inbound.ts';

/**
 * A consent signal a provider reported by itself (a carrier opt-out report, Twilio's OptOutType, a
 * WhatsApp block): not a keyword the engine found in a message body. For now the signal is kept
 * as it came: in an event of its own (consent.signal) and, when it names a message of the same
 * request, in that message's metadata — and in the consent ledger (source 'provider').
 */
export interface KeywordSignal {
  kind: ConsentEvent['kind'];
  channel: string;
  connectionId: string;
  from: ConsentEvent['from'];
  to?: ConsentEvent['to'];
  providerMessageId?: string;
  keyword?: string;
}

export async function onKeywordSignal(tx: TenantTx, signal: KeywordSignal): Promise<void> {
  await appendEvent(tx, { type: 'consent.signal', data: { signal } });
  await recordProviderSignal(tx, signal);
}

/** What a message's metadata records of the signals that came with it (no handle values: metadata is not encrypted). */
export const signalNote = (s: KeywordSignal) => ({ kind: s.kind, ...(s.keyword ? { keyword: s.keyword } : {}) });
