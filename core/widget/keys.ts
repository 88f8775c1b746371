import crypto from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../db/database.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import { findConnectionRow } from '../connections/service.ts';
import type { WidgetOptions } from './options.ts';

/**
 * Publishable keys (pk_live_…) of web chat connections. A page embeds one to open widget sessions;
 * it is public (like Stripe's pk_live_: in the source of every page that embeds the chat), so it
 * only names the org and the connection: the connection's allowed origins and identity
 * verification decide what a session may do. Being public, it is kept whole and listed (the
 * dashboard shows the snippet of any key); requests find it by its SHA-256 through the narrow
 * sb_publishable_key definer function, like API keys. Keys created before it was kept
 * (migration 20261205131000) list `key: null`.
 */
export const PUBLISHABLE_PREFIX = 'pk_live_';
export const WEBCHAT_CONNECTOR = 'webchat';

export interface PublishableKeyView {
  id: string;
  object: 'publishable_key';
  connectionId: string;
  prefix: string;
  /** The key itself: public, shown in the page's snippet (null for a key created before keys were kept). */
  key: string | null;
  /** The widget's options (brand, greeting, channels…), read by the widget when it opens a session. */
  widgetOptions: WidgetOptions;
  createdAt: string;
  revokedAt: string | null;
}

export interface PublishableKeyRef {
  orgId: string;
  keyId: string;
  connectionId: string;
}

const hashKey = (key: string) => crypto.createHash('sha256').update(key).digest();

interface KeyRow {
  id: string;
  connection_id: string;
  prefix: string;
  key: string | null;
  widget_options: WidgetOptions | null;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

const view = (r: KeyRow): PublishableKeyView => ({
  id: r.id,
  object: 'publishable_key',
  connectionId: r.connection_id,
  prefix: r.prefix,
  key: r.key ?? null,
  widgetOptions: r.widget_options ?? {},
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

async function webchatConnection(tx: TenantTx, connectionId: string) {
  const row = await findConnectionRow(tx, connectionId);
  if (row.connector_id !== WEBCHAT_CONNECTOR) {
    throw new AppError('unprocessable', 'Publishable keys belong to web chat connections.', {
      details: [{ field: 'connectionId', reason: `connection uses the "${row.connector_id}" connector, not "${WEBCHAT_CONNECTOR}"` }],
    });
  }
  return row;
}

export async function createPublishableKey(
  tx: TenantTx,
  connectionId: string,
  widgetOptions: WidgetOptions = {},
): Promise<PublishableKeyView> {
  await webchatConnection(tx, connectionId);
  const secret = PUBLISHABLE_PREFIX + crypto.randomBytes(24).toString('base64url');
  const [row] = await tx.trx('publishable_keys')
    .insert({
      id: uuidv7(),
      org_id: tx.orgId,
      connection_id: connectionId,
      key_hash: hashKey(secret),
      prefix: secret.slice(0, PUBLISHABLE_PREFIX.length + 6),
      key: secret,
      widget_options: JSON.stringify(widgetOptions),
    })
    .returning('*');
  const key = view(row);
  await appendEvent(tx, { type: 'publishable_key.created', subjectId: key.id, data: { key } });
  return key;
}

export async function listPublishableKeys(tx: TenantTx, connectionId: string): Promise<PublishableKeyView[]> {
  await webchatConnection(tx, connectionId);
  const rows: KeyRow[] = await tx.trx('publishable_keys').where({ connection_id: connectionId }).orderBy('created_at').orderBy('id');
  return rows.map(view);
}

/** Revoking is immediate: sessions opened with the key stop working at their next request. */
export async function revokePublishableKey(tx: TenantTx, connectionId: string, keyId: string): Promise<PublishableKeyView> {
  const found: KeyRow | undefined = await tx.trx('publishable_keys').where({ id: keyId, connection_id: connectionId }).forUpdate().first();
  if (!found) throw new AppError('not_found', `No such publishable key: ${keyId}.`);
  if (found.revoked_at) return view(found);
  const [row] = await tx.trx('publishable_keys').where({ id: keyId }).update({ revoked_at: tx.trx.fn.now() }).returning('*');
  const key = view(row);
  await appendEvent(tx, { type: 'publishable_key.revoked', subjectId: key.id, data: { key } });
  return key;
}

/** Replaces a key's widget options (the whole object: what the configurator shows is what is stored). */
export async function setWidgetOptions(tx: TenantTx, connectionId: string, keyId: string, options: WidgetOptions): Promise<PublishableKeyView> {
  await webchatConnection(tx, connectionId);
  const [row] = await tx.trx('publishable_keys')
    .where({ id: keyId, connection_id: connectionId })
    .update({ widget_options: JSON.stringify(options) })
    .returning('*');
  if (!row) throw new AppError('not_found', `No such publishable key: ${keyId}.`);
  const key = view(row);
  await appendEvent(tx, { type: 'publishable_key.updated', subjectId: key.id, data: { key } });
  return key;
}

export async function widgetOptionsOf(tx: TenantTx, keyId: string): Promise<WidgetOptions> {
  const row = await tx.trx('publishable_keys').where({ id: keyId }).first('widget_options');
  return (row?.widget_options as WidgetOptions | null) ?? {};
}

/** The org and connection a publishable key opens (null: unknown, revoked, org deleted, connection not active). */
export async function lookupPublishableKey(db: Database, secret: string): Promise<PublishableKeyRef | null> {
  if (!secret.startsWith(PUBLISHABLE_PREFIX)) return null;
  const res = await db.knex.raw('SELECT org_id, key_id, connection_id FROM sb_publishable_key(?)', [hashKey(secret)]);
  const r = (res as { rows: { org_id: string; key_id: string; connection_id: string }[] }).rows[0];
  return r ? { orgId: r.org_id, keyId: r.key_id, connectionId: r.connection_id } : null;
}

/** A session is only as alive as its key and its connection: checked on every widget request. */
export async function isPublishableKeyLive(tx: Pick<TenantTx, 'trx'>, keyId: string, connectionId: string): Promise<boolean> {
  const row = await tx.trx('publishable_keys as k')
    .join('connections as c', 'c.id', 'k.connection_id')
    .join('orgs as o', 'o.id', 'k.org_id')
    .where({ 'k.id': keyId, 'k.connection_id': connectionId, 'c.status': 'active' })
    .whereNull('k.revoked_at')
    .whereNull('o.deleted_at')
    .first('k.id');
  return !!row;
}
