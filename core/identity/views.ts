import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { normalizeHandle, type HandleInput } from './handles.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from './pagination.ts';

/**
 * The read side of identity: a contact as the API shows it (decrypted, with its handles and
 * external links). Views of many contacts load their handles and links in one query each.
 */
export interface HandleView {
  id: string;
  kind: string;
  value: string;
}

export interface LinkView {
  id: string;
  system: string;
  externalId: string;
  url: string | null;
  data: Record<string, unknown>;
  createdAt: string;
}

export interface ContactView {
  id: string;
  object: 'contact';
  name: string | null;
  attributes: Record<string, unknown>;
  timezone: string | null;
  handles: HandleView[];
  links: LinkView[];
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactRow {
  id: string;
  name_enc: Buffer | null;
  attributes_enc: Buffer | null;
  timezone: string | null;
  merged_into: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

interface HandleRow {
  id: string;
  contact_id: string;
  kind: string;
  value_enc: Buffer;
}

export interface LinkRow {
  id: string;
  contact_id: string;
  system: string;
  external_id: string;
  url: string | null;
  data: Record<string, unknown> | null;
  created_at: Date | string;
}

const CONTACT_COLUMNS = ['id', 'name_enc', 'attributes_enc', 'timezone', 'merged_into', 'created_at', 'updated_at'];
const iso = (d: Date | string) => new Date(d).toISOString();

export const handleView = (tx: TenantTx, r: Pick<HandleRow, 'id' | 'kind' | 'value_enc'>): HandleView => ({
  id: r.id,
  kind: r.kind,
  value: tx.crypto.decrypt(r.id, 'value', r.value_enc) ?? '',
});

export const linkView = (r: LinkRow): LinkView => ({
  id: r.id,
  system: r.system,
  externalId: r.external_id,
  url: r.url,
  data: r.data ?? {},
  createdAt: iso(r.created_at),
});

function groupBy<R extends { contact_id: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) out.set(r.contact_id, [...(out.get(r.contact_id) ?? []), r]);
  return out;
}

export async function contactViews(tx: TenantTx, rows: ContactRow[]): Promise<ContactView[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  // Sequential on purpose: a transaction is one connection, and PGlite has exactly one.
  const handles = groupBy<HandleRow>(
    await tx.pii('pii.contact_handles').select('id', 'contact_id', 'kind', 'value_enc').whereIn('contact_id', ids).orderBy(['created_at', 'id']),
  );
  const links = groupBy<LinkRow>(await tx.trx('external_links').select('*').whereIn('contact_id', ids).orderBy(['created_at', 'id']));
  return rows.map((r) => ({
    id: r.id,
    object: 'contact',
    name: tx.crypto.decrypt(r.id, 'name', r.name_enc),
    attributes: tx.crypto.decryptJson<Record<string, unknown>>(r.id, 'attributes', r.attributes_enc) ?? {},
    timezone: r.timezone,
    handles: (handles.get(r.id) ?? []).map((h) => handleView(tx, h)),
    links: (links.get(r.id) ?? []).map(linkView),
    mergedInto: r.merged_into,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }));
}

export const noSuchContact = (id: string, field?: string) =>
  new AppError('not_found', `No such contact: ${id}.`, field ? { details: [{ field, reason: 'no such contact' }] } : {});

/**
 * One contact by id. An absorbed (merged) contact is returned as it is, with mergedInto set, so
 * clients holding its id can follow it to the survivor. Another org's id is simply absent (404).
 */
export async function getContact(tx: TenantTx, id: string): Promise<ContactView> {
  const row = await tx.pii('pii.contacts').select(CONTACT_COLUMNS).where({ id }).first();
  if (!row) throw noSuchContact(id);
  const [view] = await contactViews(tx, [row]);
  return view;
}

export interface ListContactsQuery {
  limit?: number;
  cursor?: string;
  /** Exact handle lookup through the blind index (the value is normalized first). */
  handle?: HandleInput;
}

/** Live contacts, newest first. Absorbed contacts are left out: their handles now sit on the survivor. */
export async function listContacts(tx: TenantTx, query: ListContactsQuery = {}): Promise<Page<ContactView>> {
  const limit = query.limit ?? 20;
  const q = tx.pii({ c: 'pii.contacts' })
    .select(CONTACT_COLUMNS.map((col) => `c.${col}`))
    .select(pageKeyColumn(tx.pii, 'c'))
    .whereNull('c.merged_into');
  if (query.handle) {
    const h = normalizeHandle(query.handle, '/handle/value');
    q.whereIn(
      'c.id',
      tx.pii('pii.contact_handles').select('contact_id').where({ kind: h.kind, value_index: tx.crypto.blindIndex(h.kind, h.value) }),
    );
  }
  const rows: (ContactRow & { page_at: string })[] = await applyPage(q, 'c', decodePageCursor(query.cursor), limit);
  const page = pageOf(rows, limit);
  return { data: await contactViews(tx, page.rows), nextCursor: page.nextCursor, hasMore: page.hasMore };
}
