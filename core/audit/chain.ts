import crypto from 'node:crypto';

/**
 * The chain's arithmetic, free of any database: an entry's hash is
 * sha256(prev_hash || canonical JSON of the entry's fields, its position included). The JSON is
 * canonical (keys sorted at every depth) so the same entry hashes the same in every process.
 */
export const GENESIS = Buffer.alloc(32);
export const HASH_VERSION = 1;

export type ActorType = 'api_key' | 'user' | 'system' | 'cli' | 'platform';

export interface AuditActor {
  type: ActorType;
  id: string | null;
}

export interface AuditTarget {
  type: string;
  id: string | null;
}

/** Everything an entry's hash covers (created_at with the database's full microsecond precision). */
export interface ChainFields {
  id: string;
  orgId: string;
  position: number;
  actor: AuditActor;
  action: string;
  target: AuditTarget | null;
  details: Record<string, unknown>;
  context: { ip: string | null; userAgentHash: string | null };
  createdAt: string;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryHash(prevHash: Buffer, fields: ChainFields): Buffer {
  return crypto
    .createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ v: HASH_VERSION, ...fields }))
    .digest();
}
