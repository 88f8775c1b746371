import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { AppError } from '../errors.ts';
import { parseMasterKey } from '../config.ts';
import { createLogger } from '../logger.ts';

const log = createLogger('crypto');
export const MASTER_KEY_FILE = 'master.key';

/**
 * The master key wraps every org's data keys. From SWITCHBOARD_MASTER_KEY when set; otherwise
 * generated once into the data dir (0600) with a warning, so the embedded default just works.
 */
export function loadMasterKey(opts: { masterKey?: Buffer; dataDir: string }): Buffer {
  if (opts.masterKey) return opts.masterKey;
  const file = path.join(opts.dataDir, MASTER_KEY_FILE);
  if (fs.existsSync(file)) {
    const key = parseMasterKey(fs.readFileSync(file, 'utf8'));
    if (!key) throw new AppError('config_invalid', `${file} does not hold a 32-byte base64 master key.`);
    return key;
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  log.warn(
    { file },
    'Generated a new master key in the data dir. Back it up: without it nothing stored can be decrypted. ' +
      'In production set SWITCHBOARD_MASTER_KEY instead.',
  );
  return key;
}

/** A public, non-reversible name for a master key. */
export function masterFingerprint(master: Buffer): string {
  return crypto.createHmac('sha256', master).update('switchboard/master-key-fingerprint/v1').digest('hex').slice(0, 32);
}

/**
 * Records the master key's fingerprint on first start and refuses to run with any other key:
 * a swapped or lost key must stop the process, never produce garbage or fresh keys beside old data.
 */
export async function checkMasterFingerprint(owner: Knex, master: Buffer): Promise<void> {
  const fp = masterFingerprint(master);
  await owner.raw(`INSERT INTO system_settings (key, value) VALUES ('master_fingerprint', ?) ON CONFLICT (key) DO NOTHING`, [fp]);
  const row = await owner('system_settings').where({ key: 'master_fingerprint' }).first();
  if (row.value !== fp) {
    throw new AppError(
      'master_key_mismatch',
      `The master key does not match this database (database expects fingerprint ${row.value}, ` +
        `this key has ${fp}). Restore the original SWITCHBOARD_MASTER_KEY or data/master.key; refusing to start.`,
    );
  }
}
