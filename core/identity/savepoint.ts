import type { TenantTx } from '../db/tenant.ts';

/**
 * Runs fn inside a savepoint on BOTH connections of a tenant transaction, so a statement that
 * fails on purpose (a unique violation we turn into "found it" or a 409) rolls back only itself
 * and the outer transaction stays usable. With PII in its own database a savepoint on the main
 * connection alone would leave the pii transaction aborted.
 */
export async function inSavepoint<T>(tx: TenantTx, fn: (inner: TenantTx) => Promise<T>): Promise<T> {
  return tx.trx.transaction(async (sp) => {
    if (tx.pii === tx.trx) return fn({ ...tx, trx: sp, pii: sp });
    return tx.pii.transaction((psp) => fn({ ...tx, trx: sp, pii: psp }));
  });
}

export const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';
