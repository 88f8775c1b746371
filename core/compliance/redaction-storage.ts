import type { TenantTx } from '../db/tenant.ts';
import type { Thread } from '../conversations/threading.ts';
import { orgSettings } from '../org-settings.ts';
import { countByType, redact, type Finding } from './redaction.ts';

/**
 * Safe mode "before_storage": a message's body and subject are redacted before they are
 * encrypted and stored (inbound and outbound alike), and the message's metadata records what was
 * found (metadata.redactions: [{type, count}], never the values). Threading has already written a
 * NEW conversation with the raw subject (inside this same, uncommitted transaction, encrypted):
 * it is overwritten with the redacted one here.
 */
export interface StorableContent {
  body: string | null;
  subject: string | null;
  metadata: Record<string, unknown>;
}

export async function redactForStorage(
  tx: TenantTx,
  thread: Thread,
  m: { body?: string | null; subject?: string | null; metadata?: Record<string, unknown> },
): Promise<StorableContent> {
  const body = m.body ?? null;
  const subject = m.subject ?? null;
  const metadata = m.metadata ?? {};
  const safe = (await orgSettings(tx.trx, tx.orgId)).safeMode;
  if (!safe.enabled || safe.apply !== 'before_storage') return { body, subject, metadata };
  const findings: Finding[] = [];
  const clean = (text: string | null) => {
    if (text === null) return null;
    const r = redact(text, safe);
    findings.push(...r.findings);
    return r.text;
  };
  const out = { body: clean(body), subject: clean(subject) };
  if (!findings.length) return { ...out, metadata };
  if (thread.created && out.subject !== subject) {
    const id = thread.conversation.id;
    thread.conversation.subjectEnc = tx.crypto.encrypt(id, 'subject', out.subject);
    await tx.trx('conversations').where({ id }).update({ subject_enc: thread.conversation.subjectEnc }).returning('id');
  }
  return { ...out, metadata: { ...metadata, redactions: countByType(findings) } };
}
