import type { Knex } from 'knex';
import { invalidCursor } from '../errors.ts';

/**
 * Keyset pagination by (created_at, id) descending. The cursor carries the last row's
 * created_at at microsecond precision (a JS Date would cut it to milliseconds and skip or
 * repeat rows created in the same millisecond) and its id; it is opaque to clients (base64url).
 */
export interface PageKey {
  at: string;
  id: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** Select this next to the row's columns; pageOf reads it back as the cursor's time. */
export const pageKeyColumn = (knex: Knex, table: string, column = 'created_at') =>
  knex.raw(`to_char(${table}.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS page_at`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

export function encodePageCursor(k: PageKey): string {
  return Buffer.from(`${k.at}|${k.id}`).toString('base64url');
}

/** "2026-99-99…" or "2026-02-30…" match the shape and fail the timestamptz cast (a 500): the date must round-trip. */
const realInstant = (at: string) => {
  const t = Date.parse(at);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 19) === at.slice(0, 19);
};

export function decodePageCursor(cursor: string | undefined, field = '/cursor'): PageKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (extra !== undefined || !AT.test(at ?? '') || !realInstant(at!) || !UUID.test(id ?? '')) throw invalidCursor(field);
  return { at, id };
}

/**
 * Restricts a query to rows after the cursor, newest first, fetching one extra row to learn hasMore.
 * `column` is the time ordered on (created_at unless told; pass the same to pageKeyColumn).
 */
export function applyPage(q: Knex.QueryBuilder, table: string, after: PageKey | undefined, limit: number, column = 'created_at'): Knex.QueryBuilder {
  if (after) q.whereRaw(`(${table}.${column}, ${table}.id) < (?::timestamptz, ?::uuid)`, [after.at, after.id]);
  return q.orderBy([{ column: `${table}.${column}`, order: 'desc' }, { column: `${table}.id`, order: 'desc' }]).limit(limit + 1);
}

/** Trims the extra row and computes the next cursor; the caller turns the kept rows into views. */
export function pageOf<R extends { id: string; page_at: string }>(rows: R[], limit: number): { rows: R[]; nextCursor: string | null; hasMore: boolean } {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { rows: kept, nextCursor: hasMore && last ? encodePageCursor({ at: last.page_at, id: last.id }) : null, hasMore };
}
