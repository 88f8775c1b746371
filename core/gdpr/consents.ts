import type { TenantTx } from '../db/tenant.ts';

/**
 * The consent ledger's rows about a person, for the export — when the ledger exists (the consent
 * slice adds the `consents` table; before that the export has no consents section at all).
 * Rows are matched by a contact_id column and/or by blind-index columns (bytea named *_index)
 * against the person's handles. Columns follow the engine's conventions: *_enc is sealed under
 * the row id with the column name minus "_enc" as the field; other bytea columns (blind indexes)
 * mean nothing to a person and are left out.
 */
export async function consentsOf(tx: TenantTx, contactIds: string[], handleIndexes: Buffer[]): Promise<Record<string, unknown>[] | null> {
  const { rows: present } = await tx.trx.raw(`SELECT to_regclass('consents') IS NOT NULL AS yes`);
  if (!present[0].yes) return null;
  const { rows: columns }: { rows: { name: string; type: string }[] } = await tx.trx.raw(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = 'consents' ORDER BY ordinal_position`,
  );
  const matches: string[] = [];
  const params: unknown[] = [];
  if (columns.some((c) => c.name === 'contact_id')) {
    matches.push('contact_id = ANY(?::uuid[])');
    params.push(contactIds);
  }
  for (const c of columns.filter((c) => c.type === 'bytea' && c.name.endsWith('_index'))) {
    // One parameter per index: bytea arrays do not travel alike through pg and PGlite.
    if (!handleIndexes.length) continue;
    matches.push(`"${c.name}" IN (${handleIndexes.map(() => '?').join(', ')})`);
    params.push(...handleIndexes);
  }
  if (!matches.length) return [];
  const order = ['created_at', 'id'].filter((n) => columns.some((c) => c.name === n));
  const orderBy = order.length ? ` ORDER BY ${order.join(', ')}` : '';
  const { rows } = await tx.trx.raw(`SELECT * FROM consents WHERE ${matches.join(' OR ')}${orderBy}`, params as never[]);
  return rows.map((row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const c of columns) {
      const v = row[c.name];
      if (c.type !== 'bytea') out[c.name] = v;
      else if (c.name.endsWith('_enc')) out[c.name.slice(0, -4)] = openSealed(tx, String(row.id), c.name.slice(0, -4), v as Uint8Array | null);
    }
    return out;
  });
}

function openSealed(tx: TenantTx, rowId: string, field: string, v: Uint8Array | null): unknown {
  const text = tx.crypto.decrypt(rowId, field, v ? Buffer.from(v) : null);
  if (text === null || !/^[[{"]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
