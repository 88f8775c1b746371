import type { TenantTx } from '../core/db/tenant.ts';
import { invalid, notFound } from '../core/errors.ts';
import type { SentimentLabel } from './intents.ts';
import type { Correction } from './provider.ts';
import type { AiSettings } from './settings.ts';

/**
 * An org's own corrections of a message's intent and/or sentiment (ai_corrections). The local
 * classifier of that org trains on them (ai/local/classify.ts): the request carries the
 * corrections' version, and the examples are read (bodies decrypted) only when the provider has
 * no model for that version yet. Nothing of one org reaches another's model: the version names
 * the org, and examples are read in its tenant transaction.
 */
export interface CorrectionInput {
  intent?: string;
  sentiment?: SentimentLabel;
}

export interface CorrectionView {
  object: 'ai_correction';
  messageId: string;
  intent: string | null;
  sentiment: SentimentLabel | null;
  createdAt: string;
  updatedAt: string;
}

/** Examples an org's model trains on at most (the newest). */
const MAX_EXAMPLES = 2000;

const view = (r: { message_id: string; intent: string | null; sentiment: SentimentLabel | null; created_at: Date | string; updated_at: Date | string }): CorrectionView => ({
  object: 'ai_correction',
  messageId: r.message_id,
  intent: r.intent,
  sentiment: r.sentiment,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Records (or replaces) the correction of an inbound message; the intent must be one of the org's. */
export async function correctMessage(tx: TenantTx, messageId: string, input: CorrectionInput, ai: AiSettings): Promise<CorrectionView> {
  const message = await tx.trx('messages').where({ id: messageId }).first('id', 'direction', 'body_enc');
  if (!message) throw notFound('message');
  if (message.direction !== 'inbound') throw invalid('/messageId', 'only inbound messages are classified');
  if (!message.body_enc) throw invalid('/messageId', 'the message has no text (purged or erased)');
  if (input.intent !== undefined && !ai.intents.some((i) => i.id === input.intent)) {
    throw invalid('/intent', `not one of the org's intents (${ai.intents.map((i) => i.id).join(', ')})`);
  }
  const row = { intent: input.intent ?? null, sentiment: input.sentiment ?? null, updated_at: tx.trx.fn.now() };
  const [saved] = await tx.trx('ai_corrections')
    .insert({ org_id: tx.orgId, message_id: messageId, ...row })
    .onConflict(['org_id', 'message_id'])
    .merge(row)
    .returning('*');
  return view(saved);
}

export async function getCorrection(tx: TenantTx, messageId: string): Promise<CorrectionView> {
  const row = await tx.trx('ai_corrections').where({ message_id: messageId }).first();
  if (!row) throw notFound('correction');
  return view(row);
}

/** Changes whenever a correction is added, changed or removed (with its message); null: none. */
export async function correctionsVersion(tx: TenantTx): Promise<string | null> {
  const row = await tx.trx('ai_corrections').count({ n: '*' }).max({ at: 'updated_at' }).first();
  const n = Number(row?.n ?? 0);
  return n ? `${tx.orgId}:${n}:${new Date(row!.at as string).toISOString()}` : null;
}

/** The examples: each corrected message's text (those whose content is gone are skipped). */
export async function loadCorrections(tx: TenantTx): Promise<Correction[]> {
  const rows: { id: string; body_enc: Buffer | null; intent: string | null; sentiment: SentimentLabel | null }[] = await tx.trx('ai_corrections as c')
    .join('messages as m', 'm.id', 'c.message_id')
    .select('m.id', 'm.body_enc', 'c.intent', 'c.sentiment')
    .orderBy('c.updated_at', 'desc')
    .limit(MAX_EXAMPLES);
  return rows.flatMap((r) => {
    const text = tx.crypto.decrypt(r.id, 'body', r.body_enc);
    return text ? [{ text, intent: r.intent, sentiment: r.sentiment }] : [];
  });
}
