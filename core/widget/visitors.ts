import crypto from 'node:crypto';
import type { TenantTx } from '../db/tenant.ts';
import { AppError, invalid } from '../errors.ts';
import { decryptSecrets } from '../connections/model.ts';
import { findConnectionRow } from '../connections/service.ts';
import { addHandle, findHandle, findOrCreateContactByHandle, resolveContactId, updateContact } from '../identity/contacts.ts';
import { normalizeHandle } from '../identity/handles.ts';
import { verifyUserHash, type WidgetConfig } from './identity.ts';
import { WEBCHAT_CONNECTOR } from './keys.ts';

/**
 * Who is behind a widget session: an app user named by the host app (verified with userHash when
 * the connection requires it), or an anonymous visitor with a random id the widget keeps and sends
 * back. Both are app_user handles; anonymous ones live in the reserved "visitor:" namespace so a
 * claimed user id can never land on a visitor's contact (or the other way round). A session
 * carries the handle value, not a contact id: an anonymous visitor only becomes a contact when
 * they write (or give a name), so page views and crawlers do not fill the contact list.
 */
export interface WidgetConnection {
  id: string;
  config: WidgetConfig;
  identitySecret: string;
}

export interface VisitorInput {
  userId?: string;
  userHash?: string;
  visitorId?: string;
  name?: string;
  email?: string;
  phone?: string;
}

export interface Visitor {
  /** The app_user handle value the session is bound to. */
  handle: string;
  contactId: string | null;
  /** True when the host app's server vouched for the user id (a valid userHash). */
  verified: boolean;
  /** The anonymous visitor id to keep and send back (absent for app users). */
  visitorId?: string;
}

export const VISITOR_NAMESPACE = 'visitor:';
const VISITOR_ID = /^v_[A-Za-z0-9_-]{22}$/;
const unavailable = () => new AppError('unauthorized', 'Unknown or revoked publishable key, or the chat is not available.');

/** The web chat connection of a session, active and with its identity secret; anything else is a 401 (no hint which). */
export async function loadWidgetConnection(tx: TenantTx, connectionId: string): Promise<WidgetConnection> {
  const row = await findConnectionRow(tx, connectionId).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  });
  if (!row || row.connector_id !== WEBCHAT_CONNECTOR || row.status !== 'active') throw unavailable();
  const secrets = decryptSecrets(tx.crypto, row);
  return { id: row.id, config: row.config as unknown as WidgetConfig, identitySecret: String(secrets.identitySecret ?? '') };
}

function claimedHandle(conn: WidgetConnection, input: VisitorInput): { value: string; verified: boolean; visitorId?: string } {
  if (input.userId !== undefined) {
    if (input.userId.startsWith(VISITOR_NAMESPACE)) throw invalid('/userId', `must not start with "${VISITOR_NAMESPACE}" (reserved for anonymous visitors)`);
    if (input.visitorId !== undefined) throw invalid('/visitorId', 'is for anonymous visitors; give userId or visitorId, not both');
    const verified = input.userHash !== undefined && !!conn.identitySecret && verifyUserHash(conn.identitySecret, input.userId, input.userHash);
    if (input.userHash !== undefined && !verified) throw new AppError('unauthorized', 'userHash does not match userId.');
    if (conn.config.requireUserHash && !verified) {
      throw new AppError('unauthorized', 'This chat requires identity verification: send userHash = hex HMAC-SHA256(identity secret, userId), computed by your server.');
    }
    return { value: input.userId, verified };
  }
  if (input.userHash !== undefined) throw invalid('/userHash', 'is only meaningful with userId');
  if (input.visitorId !== undefined && !VISITOR_ID.test(input.visitorId)) throw invalid('/visitorId', 'is not a visitor id this API issued');
  // 128 random bits: the id is the anonymous visitor's only credential for their conversation.
  const visitorId = input.visitorId ?? `v_${crypto.randomBytes(16).toString('base64url')}`;
  return { value: VISITOR_NAMESPACE + visitorId, verified: false, visitorId };
}

const appUser = (value: string) => normalizeHandle({ kind: 'app_user', value }, '/userId');

/** The live contact behind a session's handle, if it is a contact yet. */
export async function visitorContactId(tx: TenantTx, handle: string): Promise<string | null> {
  const found = await findHandle(tx, appUser(handle));
  return found ? resolveContactId(tx, found.contact_id) : null;
}

/** The visitor's contact, created on their first message. */
export async function ensureVisitorContact(tx: TenantTx, handle: string, name?: string): Promise<string> {
  const found = await findOrCreateContactByHandle(tx, appUser(handle), { field: '/userId', ...(name ? { name } : {}) });
  return resolveContactId(tx, found.contactId);
}

/**
 * Opens a session's identity. App users (and visitors who give a name) get their contact now; a
 * name fills a contact that has none. A verified app user's email address and phone number link
 * identities: a user seen for the first time whose phone or email belongs to an existing contact
 * (the person who texted or emailed) becomes that contact, and a handle nobody holds is added.
 * None of this for unverified claims: a visitor typing someone's number or address must not
 * capture that person's threads.
 */
export async function identifyVisitor(tx: TenantTx, conn: WidgetConnection, input: VisitorInput): Promise<Visitor> {
  const claimed = claimedHandle(conn, input);
  const name = input.name?.trim() || undefined;
  const extra = claimed.visitorId ? { visitorId: claimed.visitorId } : {};
  if (claimed.visitorId && !name) return { handle: claimed.value, contactId: await visitorContactId(tx, claimed.value), verified: false, ...extra };
  const links = claimed.verified
    ? [
        ...(input.phone ? [normalizeHandle({ kind: 'phone', value: input.phone }, '/phone')] : []),
        ...(input.email ? [normalizeHandle({ kind: 'email', value: input.email }, '/email')] : []),
      ]
    : [];
  let existing = await visitorContactId(tx, claimed.value);
  if (!existing) {
    for (const h of links) {
      const holder = await findHandle(tx, h);
      if (!holder) continue;
      existing = await resolveContactId(tx, holder.contact_id);
      await addHandle(tx, existing, appUser(claimed.value), '/userId');
      break;
    }
  }
  const contactId = existing ?? (await ensureVisitorContact(tx, claimed.value, name));
  if (name && existing) {
    const row = await tx.pii('pii.contacts').select('id', 'name_enc').where({ id: contactId }).first();
    if (row && !tx.crypto.decrypt(row.id, 'name', row.name_enc)) await updateContact(tx, contactId, { name });
  }
  for (const h of links) {
    if (!(await findHandle(tx, h))) await addHandle(tx, contactId, h, `/${h.kind}`);
  }
  return { handle: claimed.value, contactId, verified: claimed.verified, ...extra };
}
