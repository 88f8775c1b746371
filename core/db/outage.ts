/**
 * Is this error the database being unreachable (down, restarting, out of connections), rather
 * than a bad query? The API answers those 503 service_unavailable with Retry-After, so a client
 * (and the dashboard) waits and retries instead of treating it as its own fault — a session lookup
 * that cannot reach the database must not sign anyone out.
 */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);
// SQLSTATE classes/codes: 08 connection exception; 57P01-03 admin/crash shutdown, cannot connect now; 53300 too many connections.
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
const KNEX = /Timeout acquiring a connection|Unable to acquire a connection|Connection terminated/;

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (NETWORK.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (typeof e.message === 'string' && KNEX.test(e.message)) return true;
  // node's AggregateError (IPv4 and IPv6 both refused) carries the causes.
  return Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable);
}
