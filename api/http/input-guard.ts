import { invalid } from '../../core/errors.ts';
import { findUnstorable } from '../../core/storable-text.ts';

/**
 * Checks every decoded request (JSON body and the extended query string) before any route sees it:
 * - nesting deeper than MAX_DEPTH is refused (a 5,000-level array would otherwise blow the stack
 *   of recursive validators and serializers: a 500);
 * - NUL characters and lone UTF-16 surrogates in any key or string are refused: PostgreSQL cannot
 *   store them in text or jsonb, and no legitimate text contains them (core/storable-text.ts).
 * Errors name the offending field as a JSON pointer.
 */
export const MAX_DEPTH = 32;

export function guardInput(value: unknown, root: '' | '/query' = ''): void {
  const bad = findUnstorable(value, MAX_DEPTH);
  if (bad) throw invalid(root + bad.path, bad.reason);
}

/**
 * The extended query parser (qs) silently drops a `__proto__` segment (`?metadata[__proto__]=x`),
 * so a filter would vanish and the list come back unfiltered. Refuse it instead, naming the
 * parameter. Reads the raw query string, since the parsed one no longer shows it.
 */
export function guardQueryKeys(url: string): void {
  const q = url.indexOf('?');
  if (q === -1) return;
  for (const key of new URLSearchParams(url.slice(q + 1)).keys()) {
    const segments = key.replace(/\]/g, '').split('[');
    if (segments.includes('__proto__')) throw invalid(`/query/${segments.join('/')}`, 'uses the reserved name __proto__');
  }
}
