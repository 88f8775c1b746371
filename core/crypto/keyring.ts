import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { open, seal, sealedKeyVersion } from './aead.ts';
import { AppError } from '../errors.ts';

/**
 * Envelope encryption per org. Each org has versioned AES-256 data keys and one HMAC index key,
 * all stored wrapped by the master key. Values are sealed with the active data key and
 * `${orgId}|${rowId}|${field}` as associated data, so a ciphertext cannot be moved to another
 * org, row or column. Destroying an org's keys makes all its data unreadable (crypto-shredding).
 */
export interface OrgCrypto {
  readonly orgId: string;
  encrypt(rowId: string, field: string, value: string | null | undefined): Buffer | null;
  decrypt(rowId: string, field: string, blob: Buffer | null | undefined): string | null;
  encryptJson(rowId: string, field: string, value: unknown): Buffer | null;
  decryptJson<T = unknown>(rowId: string, field: string, blob: Buffer | null | undefined): T | null;
  /** Deterministic HMAC of a normalized value: equality lookups without decrypting. */
  blindIndex(kind: string, normalized: string): Buffer;
}

interface Loaded {
  active: number;
  keys: Map<number, Buffer>;
  indexKey: Buffer;
  loadedAt: number;
}

// Other processes pick up a rotation within this time; the rotating process sees it at once.
const CACHE_MS = 15_000;

const wrapAad = (orgId: string, version: number) => `switchboard/org-key/${orgId}/${version}`;
const indexAad = (orgId: string) => `switchboard/index-key/${orgId}`;

export function wrapKey(master: Buffer, key: Buffer, aad: string): Buffer {
  return seal(master, 0, key, aad);
}

export function unwrapKey(master: Buffer, wrapped: Buffer, aad: string): Buffer {
  try {
    return open(master, wrapped, aad);
  } catch {
    throw new AppError('master_key_mismatch', 'An org key could not be unwrapped with the master key.');
  }
}

export interface Keyring {
  /** Creates an org's first data key and its index key; the orgs row must already exist in trx. */
  provision(trx: Knex, orgId: string): Promise<void>;
  forOrg(trx: Knex, orgId: string): Promise<OrgCrypto>;
  /** New data key version for new writes; old versions keep decrypting. Returns the new version. */
  rotate(trx: Knex, orgId: string): Promise<number>;
  /** Destroys every key of the org (crypto-shredding). */
  shred(trx: Knex, orgId: string): Promise<void>;
  forget(orgId: string): void;
  /**
   * A process-independent secret for one purpose (e.g. signing realtime tokens), derived from the
   * master key with HKDF: every replica derives the same key and no org key is involved.
   */
  systemKey(purpose: string): Buffer;
}

/** The org has no keys (never existed, or deleted and shredded). */
export class UnknownOrg extends AppError {
  constructor() {
    super('not_found', 'No such org.');
  }
}

export function createKeyring(master: Buffer): Keyring {
  const cache = new Map<string, Loaded>();

  async function load(trx: Knex, orgId: string): Promise<Loaded> {
    const hit = cache.get(orgId);
    if (hit && Date.now() - hit.loadedAt < CACHE_MS) return hit;
    const org = await trx('orgs').select('active_key_version', 'index_key_wrapped', 'deleted_at').where({ id: orgId }).first();
    if (!org || org.deleted_at || !org.index_key_wrapped) throw new UnknownOrg();
    const rows = await trx('org_keys').select('version', 'wrapped_key').where({ org_id: orgId });
    const keys = new Map<number, Buffer>();
    for (const r of rows) keys.set(r.version, unwrapKey(master, Buffer.from(r.wrapped_key), wrapAad(orgId, r.version)));
    const loaded = {
      active: org.active_key_version,
      keys,
      indexKey: unwrapKey(master, Buffer.from(org.index_key_wrapped), indexAad(orgId)),
      loadedAt: Date.now(),
    };
    cache.set(orgId, loaded);
    return loaded;
  }

  function view(orgId: string, k: Loaded): OrgCrypto {
    const aad = (rowId: string, field: string) => `${orgId}|${rowId}|${field}`;
    const activeKey = k.keys.get(k.active)!;
    const self: OrgCrypto = {
      orgId,
      encrypt(rowId, field, value) {
        if (value === null || value === undefined) return null;
        return seal(activeKey, k.active, Buffer.from(value, 'utf8'), aad(rowId, field));
      },
      decrypt(rowId, field, blob) {
        if (!blob) return null;
        const buf = Buffer.from(blob);
        const key = k.keys.get(sealedKeyVersion(buf));
        if (!key) throw new AppError('internal', `Data key version ${sealedKeyVersion(buf)} is not available.`);
        return open(key, buf, aad(rowId, field)).toString('utf8');
      },
      encryptJson(rowId, field, value) {
        return value === undefined ? null : self.encrypt(rowId, field, JSON.stringify(value));
      },
      decryptJson<T>(rowId: string, field: string, blob: Buffer | null | undefined) {
        const s = self.decrypt(rowId, field, blob);
        return s === null ? null : (JSON.parse(s) as T);
      },
      blindIndex(kind, normalized) {
        return crypto.createHmac('sha256', k.indexKey).update(`${kind}\0${normalized}`).digest();
      },
    };
    return self;
  }

  return {
    async provision(trx, orgId) {
      const dataKey = crypto.randomBytes(32);
      const indexKey = crypto.randomBytes(32);
      await trx('org_keys').insert({ org_id: orgId, version: 1, wrapped_key: wrapKey(master, dataKey, wrapAad(orgId, 1)) });
      await trx('orgs')
        .where({ id: orgId })
        .update({ active_key_version: 1, index_key_wrapped: wrapKey(master, indexKey, indexAad(orgId)) });
      cache.delete(orgId);
    },
    async forOrg(trx, orgId) {
      return view(orgId, await load(trx, orgId));
    },
    async rotate(trx, orgId) {
      const [{ max }] = await trx('org_keys').where({ org_id: orgId }).max('version as max');
      const version = Number(max) + 1;
      await trx('org_keys').insert({
        org_id: orgId,
        version,
        wrapped_key: wrapKey(master, crypto.randomBytes(32), wrapAad(orgId, version)),
      });
      await trx('orgs').where({ id: orgId }).update({ active_key_version: version });
      cache.delete(orgId);
      return version;
    },
    async shred(trx, orgId) {
      await trx('org_keys').where({ org_id: orgId }).delete();
      await trx('orgs').where({ id: orgId }).update({ index_key_wrapped: null, deleted_at: trx.fn.now() });
      cache.delete(orgId);
    },
    forget(orgId) {
      cache.delete(orgId);
    },
    systemKey(purpose) {
      return Buffer.from(crypto.hkdfSync('sha256', master, 'switchboard/system-key', `switchboard/${purpose}/v1`, 32));
    },
  };
}

/**
 * Re-wraps every org's keys under a new master key (run as the owner: it crosses tenants).
 * Data is not re-encrypted: only the small wrapped keys change.
 */
export async function rewrapAll(owner: Knex, oldMaster: Buffer, newMaster: Buffer): Promise<number> {
  let n = 0;
  await owner.transaction(async (trx) => {
    for (const r of await trx('org_keys').select('org_id', 'version', 'wrapped_key')) {
      const aad = wrapAad(r.org_id, r.version);
      const key = unwrapKey(oldMaster, Buffer.from(r.wrapped_key), aad);
      await trx('org_keys').where({ org_id: r.org_id, version: r.version }).update({ wrapped_key: wrapKey(newMaster, key, aad) });
      n++;
    }
    for (const o of await trx('orgs').select('id', 'index_key_wrapped').whereNotNull('index_key_wrapped')) {
      const key = unwrapKey(oldMaster, Buffer.from(o.index_key_wrapped), indexAad(o.id));
      await trx('orgs').where({ id: o.id }).update({ index_key_wrapped: wrapKey(newMaster, key, indexAad(o.id)) });
    }
  });
  return n;
}
