import { randomUUID } from 'node:crypto';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { redactForEgress } from '../compliance/redaction.ts';
import { orgSettings } from '../org-settings.ts';
import { getContact } from '../identity/views.ts';
import { integrationContext, withAuthRetry } from '../connections/oauth.ts';
import { createLogger } from '../logger.ts';
import { RetryLater } from '../queue/queue.ts';
import { crmRuntime } from './connection.ts';
import { linkContact, type CrmEngine } from './link.ts';
import { contactOf, BUSY_RETRY_MAX_MS, LEASE_MS } from './log.ts';

/**
 * Logs one note (a conversation summary) on the contact's CRM record, once per (connection,
 * conversation, version):
 *   1. (transaction) claim the row in crm_logged_notes: a logged row → nothing to do (a replayed
 *      or retried rule); a live claim of another run → RetryLater; the text is redacted for egress
 *      (safe mode) here, before it leaves;
 *   2. (no transaction) link the contact when needed, then the provider call (crm.logNote);
 *   3. (transaction) the provider's note id on the row. A failed call drops the claim (retried).
 * Logs carry ids only, never the text.
 */
const log = createLogger('crm');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NoteInput {
  conversationId: string;
  connectionId: string;
  /** The conversation version the note is about (its latest message id). */
  version: string;
  text: string;
}

export interface NoteResult {
  /** false: this version's note was logged before (nothing was sent). */
  logged: boolean;
  externalId: string;
  recordId: string | null;
}

async function claim(tx: TenantTx, input: NoteInput, holder: string): Promise<{ externalId: string } | null> {
  const { rows } = await tx.trx.raw(
    `INSERT INTO crm_logged_notes (org_id, connection_id, conversation_id, version, holder)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (connection_id, conversation_id, version) DO UPDATE SET holder = excluded.holder, claimed_at = now()
       WHERE crm_logged_notes.external_id IS NULL AND crm_logged_notes.claimed_at < now() - make_interval(secs => ?)
     RETURNING holder`,
    [tx.orgId, input.connectionId, input.conversationId, input.version, holder, LEASE_MS / 1000],
  );
  if (rows.length) return null;
  const row = await tx.trx('crm_logged_notes').where({ connection_id: input.connectionId, conversation_id: input.conversationId, version: input.version }).first();
  if (row?.external_id) return { externalId: row.external_id as string };
  throw new RetryLater(BUSY_RETRY_MAX_MS, `the summary of conversation ${input.conversationId} is being logged to connection ${input.connectionId} by another run`);
}

export async function logNote(engine: CrmEngine, orgId: string, input: NoteInput): Promise<NoteResult> {
  const holder = randomUUID();
  const load = (first: boolean) =>
    engine.tenant(orgId, async (tx) => {
      const rt = await crmRuntime(tx, engine.connectors, input.connectionId, 'crm.log');
      if (typeof rt.crm.logNote !== 'function') throw new AppError('unprocessable', `Connector ${rt.def.id} cannot log a note (no crm.logNote).`, { details: [{ field: '/summary', reason: `connector ${rt.def.id} cannot log a note` }] });
      const contactId = await contactOf(tx, input.conversationId);
      const done = first ? await claim(tx, input, holder) : null;
      const link = (await getContact(tx, contactId)).links.find((l) => l.system === rt.def.id) ?? null;
      const settings = await orgSettings(tx.trx, orgId);
      // The version is the latest message's id (never query a non-uuid: a failed query ends the transaction).
      const at: { created_at: Date | string } | undefined = UUID.test(input.version) ? await tx.trx('messages').where({ id: input.version, conversation_id: input.conversationId }).first('created_at') : undefined;
      return { rt, contactId, done, link, text: redactForEgress(input.text, settings.safeMode) ?? '', at: at ? new Date(at.created_at).toISOString() : new Date().toISOString() };
    });
  let work = await load(true);
  if (work.done) return { logged: false, externalId: work.done.externalId, recordId: work.link?.externalId ?? null };
  try {
    if (!work.link) {
      // A note needs a record to sit on: the contact is linked first (found or created).
      await linkContact(engine, orgId, { contactId: work.contactId, connectionId: input.connectionId });
      work = await load(false);
      if (!work.link) throw new AppError('conflict', 'The contact could not be linked.');
    }
    const { rt, link, text, at } = work;
    const ctx = await integrationContext(engine, orgId, rt);
    const { externalId } = await withAuthRetry(ctx, () => rt.crm.logNote!({ record: { externalId: link!.externalId, data: link!.data }, note: { conversationId: input.conversationId, key: input.version, text, at } }, ctx));
    await engine.tenant(orgId, (tx) =>
      tx.trx('crm_logged_notes').where({ connection_id: input.connectionId, conversation_id: input.conversationId, version: input.version, holder }).update({ external_id: externalId, logged_at: tx.trx.fn.now() }),
    );
    log.info({ orgId, connectionId: input.connectionId, conversationId: input.conversationId, noteId: externalId }, 'conversation summary logged to CRM');
    return { logged: true, externalId, recordId: link!.externalId };
  } catch (err) {
    // The claim goes, so a retry (or another run) logs the note; a completed row is never removed.
    await engine
      .tenant(orgId, (tx) => tx.trx('crm_logged_notes').where({ connection_id: input.connectionId, conversation_id: input.conversationId, version: input.version, holder }).whereNull('external_id').delete())
      .catch((e) => log.warn({ err: e, orgId }, 'could not drop the CRM note claim (it expires)'));
    throw err;
  }
}
