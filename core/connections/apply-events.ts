import type { ConsentEvent, ContactUpdateEvent, InboundMessageEvent, NormalizedEvent, StatusEvent } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { findHandle, updateContact } from '../identity/contacts.ts';
import { normalizeHandle } from '../identity/handles.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { applyStatus } from '../messages/status.ts';
import { recordExternalEvent, upsertPerson } from './external-events.ts';
import { handleInboundKeyword } from '../compliance/consent-inbound.ts';
import { onKeywordSignal, signalNote, type KeywordSignal } from './keyword-signal.ts';

/**
 * A verified request's normalized events → the engine's state, in the caller's transaction (one
 * transaction per request: all of it is stored, or none). Duplicates change nothing. A status for
 * a message we do not know (yet) is reported as unmatched: its callback may have overtaken the
 * commit of our own send, and the archive keeps it for a replay once the send is recorded.
 */
export interface Applied {
  messageIds: string[];
  duplicates: number;
  statusesApplied: number;
  unmatchedProviderIds: string[];
  /** Every provider message id the request named (kept beside the archived request). */
  providerMessageIds: string[];
  /** External events appended (as `<connector>.<type>`) and those skipped as already seen. */
  externalEvents: number;
  externalDuplicates: number;
}

export async function applyInboundEvents(tx: TenantTx, connectionId: string, events: NormalizedEvent[]): Promise<Applied> {
  const out: Applied = {
    messageIds: [], duplicates: 0, statusesApplied: 0, unmatchedProviderIds: [], providerMessageIds: [], externalEvents: 0, externalDuplicates: 0,
  };
  // Consent signals first, so the message they came with records them from its first event on.
  const signals = events.filter((e): e is ConsentEvent => e.kind === 'opt_out' || e.kind === 'opt_in' || e.kind === 'help');
  const notes = new Map<string, ReturnType<typeof signalNote>[]>();
  for (const e of signals) {
    const signal: KeywordSignal = { ...e, connectionId };
    await onKeywordSignal(tx, signal);
    if (e.providerMessageId) notes.set(e.providerMessageId, [...(notes.get(e.providerMessageId) ?? []), signalNote(signal)]);
  }
  for (const e of events) {
    if ('providerMessageId' in e && e.providerMessageId) out.providerMessageIds.push(e.providerMessageId);
    if (e.kind === 'message') {
      const signalled = notes.get(e.providerMessageId);
      const r = await ingestMessage(tx, connectionId, e, signalled);
      if (r.duplicate) out.duplicates++;
      else {
        out.messageIds.push(r.message.id);
        await handleInboundKeyword(tx, { message: r.message, from: e.from, connectionId, providerSignalled: !!signalled });
      }
    } else if (e.kind === 'status') {
      if (await applyStatusEvent(tx, connectionId, e)) out.statusesApplied++;
      else out.unmatchedProviderIds.push(e.providerMessageId);
    } else if (e.kind === 'contact_update') {
      // With an external id it is a person record of another system (linked, kept up to date);
      // without, a channel's profile name for a handle we know.
      if (e.externalId) await upsertPerson(tx, connectionId, { ...e, externalId: e.externalId });
      else await nameContact(tx, e);
    } else if (e.kind === 'external_event') {
      if ((await recordExternalEvent(tx, connectionId, e)).duplicate) out.externalDuplicates++;
      else out.externalEvents++;
    }
  }
  out.providerMessageIds = [...new Set(out.providerMessageIds)];
  return out;
}

function ingestMessage(tx: TenantTx, connectionId: string, e: InboundMessageEvent, signals?: ReturnType<typeof signalNote>[]) {
  const metadata = { ...(e.metadata ?? {}), ...(signals ? { consentSignals: signals } : {}) };
  return ingestInbound(tx, {
    channel: e.channel,
    connectionId,
    from: { handle: e.from },
    to: e.to,
    providerMessageId: e.providerMessageId,
    body: e.body,
    subject: e.subject ?? null,
    media: e.media,
    ...(e.email ? { email: e.email } : {}),
    metadata,
  });
}

/** false when no message of this connection has that provider id. */
async function applyStatusEvent(tx: TenantTx, connectionId: string, e: StatusEvent): Promise<boolean> {
  try {
    await applyStatus(tx, { connectionId, providerMessageId: e.providerMessageId }, e.status, {
      errorCode: e.errorCode ?? null,
      errorMessage: e.reason ?? null,
    });
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return false;
    throw err;
  }
}

/** A provider's profile name (e.g. WhatsApp's) names a contact that has no name yet; a name set by people wins. */
async function nameContact(tx: TenantTx, e: ContactUpdateEvent): Promise<void> {
  if (!e.name?.trim()) return;
  const handle = await findHandle(tx, normalizeHandle(e.handle, '/handle/value'));
  if (!handle) return;
  const contact = await tx.pii('pii.contacts').select('id', 'name_enc', 'merged_into').where({ id: handle.contact_id }).first();
  if (!contact || contact.merged_into || tx.crypto.decrypt(contact.id, 'name', contact.name_enc)) return;
  await updateContact(tx, contact.id, { name: e.name.trim() });
}
