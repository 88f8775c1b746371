import type { TenantTx } from '../db/tenant.ts';
import { normalizeHandle, type HandleInput } from '../identity/handles.ts';
import type { Footprint } from './footprint.ts';
import { scrubPayload } from './scrub.ts';

/**
 * Erasure of the copies of a person's data that live inside encrypted payloads: the events
 * about them (the /v1/sync feed, WebSocket resumes and webhook replays read these) and stored
 * idempotent responses (a replay would hand back the original answer). Each affected payload is
 * re-sealed with only its ids, types, statuses and times left (scrubPayload); what webhook
 * receivers answered to those events is dropped.
 */
const PAGE = 500;
type EventRow = { id: string; type: string; subject_id: string | null; data_enc: Uint8Array };

const open = (tx: TenantTx, r: EventRow) => tx.crypto.decryptJson<Record<string, unknown>>(r.id, 'data', Buffer.from(r.data_enc)) ?? {};

async function reseal(tx: TenantTx, r: EventRow, data: Record<string, unknown>) {
  await tx.trx('events').where({ id: r.id }).update({ data_enc: tx.crypto.encryptJson(r.id, 'data', scrubPayload(data)) }).returning('id');
}

/** Webhook receivers' answers to these events may echo the payload (names, numbers, bodies): they go too. */
async function forgetAnswers(tx: TenantTx, eventIds: string[]) {
  for (let i = 0; i < eventIds.length; i += PAGE) {
    await tx.trx.raw(
      `UPDATE webhook_attempts SET response_enc = NULL WHERE org_id = sb_org() AND response_enc IS NOT NULL
         AND delivery_id IN (SELECT id FROM webhook_deliveries WHERE org_id = sb_org() AND event_id = ANY(?::uuid[]))`,
      [eventIds.slice(i, i + PAGE)],
    );
  }
}

/** A handle a provider reported (consent signals carry the raw sender) in the engine's normal form, or null. */
function normalized(h: unknown): string | null {
  try {
    const { kind, value } = normalizeHandle(h as HandleInput);
    return `${kind}:${value}`;
  } catch {
    return null;
  }
}

/**
 * The events about the person: those whose subject is the contact, an absorbed contact, one of
 * their messages or one of their own conversations; the merge events of other contacts whose merge
 * involved them (those carry their handles); and provider consent signals sent from their handles.
 */
export async function eraseEvents(tx: TenantTx, fp: Footprint, handles: { kind: string; value: string }[]): Promise<number> {
  const erased: string[] = [];
  const subjects = [...fp.contactIds, ...fp.messageIds, ...fp.ownConversationIds];
  for (let i = 0; i < subjects.length; i += PAGE) {
    const rows: EventRow[] = await tx.trx('events').select('id', 'type', 'subject_id', 'data_enc').whereRaw('subject_id = ANY(?::uuid[])', [subjects.slice(i, i + PAGE)]);
    for (const r of rows) await reseal(tx, r, open(tx, r));
    erased.push(...rows.map((r) => r.id));
  }
  const merges: { id: string; survivor_id: string }[] = await tx.trx('contact_merges')
    .select('id', 'survivor_id')
    .whereRaw('merged_id = ANY(?::uuid[]) AND NOT survivor_id = ANY(?::uuid[])', [fp.contactIds, fp.contactIds]);
  if (merges.length) {
    const mergeIds = new Set(merges.map((m) => m.id));
    const rows: EventRow[] = await tx.trx('events')
      .select('id', 'type', 'subject_id', 'data_enc')
      .whereIn('type', ['contact.merged', 'contact.unmerged'])
      .whereRaw('subject_id = ANY(?::uuid[])', [[...new Set(merges.map((m) => m.survivor_id))]]);
    for (const r of rows) {
      const data = open(tx, r);
      if (!mergeIds.has(String(data.mergeId))) continue;
      await reseal(tx, r, data);
      erased.push(r.id);
    }
  }
  const mine = new Set(handles.map((h) => `${h.kind}:${h.value}`));
  if (mine.size) {
    // Consent signals name no contact (only the sender's handle), so each is opened and compared.
    let after = -1n;
    for (;;) {
      const rows: (EventRow & { seq: string })[] = await tx.trx('events')
        .select('id', 'type', 'subject_id', 'data_enc', tx.trx.raw('seq::text AS seq'))
        .where({ type: 'consent.signal' })
        .where('seq', '>', after.toString())
        .orderBy('events.seq')
        .limit(PAGE);
      for (const r of rows) {
        const data = open(tx, r);
        const from = normalized((data.signal as { from?: unknown } | undefined)?.from);
        if (from && mine.has(from)) {
          await reseal(tx, r, data);
          erased.push(r.id);
        }
      }
      if (rows.length < PAGE) break;
      after = BigInt(rows[rows.length - 1].seq);
    }
  }
  await forgetAnswers(tx, erased);
  return erased.length;
}

const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Stored idempotent responses that name one of the person's records (contact, handle, message…). */
export async function eraseIdempotentResponses(tx: TenantTx, ids: Set<string>): Promise<number> {
  let n = 0;
  let after = '';
  for (;;) {
    const rows: { key: string; response_enc: Uint8Array }[] = await tx.trx('idempotency_keys')
      .select('key', 'response_enc')
      .whereNotNull('response_enc')
      .where('key', '>', after)
      .orderBy('key')
      .limit(PAGE);
    for (const r of rows) {
      const body = tx.crypto.decryptJson<unknown>(r.key, 'response', Buffer.from(r.response_enc));
      const named = JSON.stringify(body ?? null).match(UUIDS) ?? [];
      if (!named.some((id) => ids.has(id))) continue;
      await tx.trx('idempotency_keys').where({ key: r.key }).update({ response_enc: tx.crypto.encryptJson(r.key, 'response', scrubPayload(body)) }).returning('key');
      n++;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1].key;
  }
  return n;
}
