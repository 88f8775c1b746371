import type { TenantTx } from '../db/tenant.ts';
import { findOrCreateContactByHandle, resolveContactId } from '../identity/contacts.ts';
import type { HandleInput } from '../identity/handles.ts';
import { handleKindsFor } from '../conversations/channels.ts';

/** The other side of a message: a handle (found or created) or an existing contact. */
export type Party = { handle: HandleInput } | { contactId: string };

export interface ResolvedParty {
  contactId: string;
  handleId: string | null;
  /** The handle's kind when the party was given as a handle. */
  kind?: string;
}

/** @param field where the party sits in the request, e.g. "/from" */
export async function resolveParty(tx: TenantTx, party: Party, channel: string, field: string): Promise<ResolvedParty> {
  if ('handle' in party) {
    const r = await findOrCreateContactByHandle(tx, party.handle, { field: `${field}/handle/value` });
    return { contactId: r.contactId, handleId: r.handleId, kind: party.handle.kind };
  }
  const contactId = await resolveContactId(tx, party.contactId, `${field}/contactId`);
  return { contactId, handleId: await pickHandle(tx, contactId, channel) };
}

/** The contact's handle that reaches them on a channel (preferred kind first, then oldest), if any. */
export async function pickHandle(tx: TenantTx, contactId: string, channel: string): Promise<string | null> {
  const kinds = handleKindsFor(channel);
  if (!kinds.length) return null;
  const rows: { id: string; kind: string }[] = await tx.pii('pii.contact_handles')
    .select('id', 'kind')
    .where({ contact_id: contactId })
    .whereIn('kind', kinds)
    .orderBy('created_at')
    .orderBy('id');
  rows.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind));
  return rows[0]?.id ?? null;
}
