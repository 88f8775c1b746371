import type { Knex } from 'knex';
import type { Keyring, OrgCrypto } from '../crypto/keyring.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { decodeEvent, type EngineEvent, type EventRow } from './events.ts';

const log = createLogger('relay');

/**
 * Decodes a cross-tenant batch inside the relay's own transaction, switching the tenant setting
 * org by org to load each org's keys under row-level security. It cannot open engine.tenant()
 * transactions instead: PGlite has one connection, which the relay's transaction is holding.
 *
 * Rows that cannot be decoded are left out (and logged by id), so one bad row never stalls the
 * spine: an org whose keys were shredded has no readable events any more, by design. A key
 * version unknown to the cached keyring (rotated by another process) triggers one reload first.
 */
export async function decodeBatch(trx: Knex.Transaction, keyring: Keyring, rows: EventRow[]): Promise<EngineEvent[]> {
  const byOrg = new Map<string, EventRow[]>();
  for (const r of rows) byOrg.set(r.org_id, [...(byOrg.get(r.org_id) ?? []), r]);
  const decoded = new Map<string, EngineEvent>();
  try {
    for (const [orgId, list] of byOrg) {
      await trx.raw(`SELECT set_config('app.org_id', ?, true)`, [orgId]);
      let crypto = await cryptoFor(trx, keyring, orgId);
      for (const row of list) {
        if (!crypto) break;
        let event = tryDecode(row, crypto);
        if (!event) {
          keyring.forget(orgId);
          crypto = await cryptoFor(trx, keyring, orgId);
          event = crypto && tryDecode(row, crypto);
        }
        if (event) decoded.set(row.id, event);
        else log.error({ event: row.id, org: orgId }, 'event cannot be decrypted; not handed on');
      }
    }
  } finally {
    await trx.raw(`SELECT set_config('app.org_id', '', true)`);
  }
  return rows.flatMap((r) => decoded.get(r.id) ?? []);
}

async function cryptoFor(trx: Knex.Transaction, keyring: Keyring, orgId: string): Promise<OrgCrypto | null> {
  try {
    return await keyring.forOrg(trx, orgId);
  } catch (err) {
    // A deleted org or an unreadable key: its events are skipped. Database errors abort the batch.
    if (err instanceof AppError) {
      log.warn({ org: orgId, code: err.code }, 'org keys unavailable; its events are not handed on');
      return null;
    }
    throw err;
  }
}

function tryDecode(row: EventRow, crypto: OrgCrypto): EngineEvent | null {
  try {
    return decodeEvent(row, crypto);
  } catch {
    return null;
  }
}
