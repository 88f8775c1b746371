import { invalid } from '../../core/errors.ts';

/**
 * Checks every decoded request (JSON body and the extended query string) before any route sees it:
 * - nesting deeper than MAX_DEPTH is refused (a 5,000-level array would otherwise blow the stack
 *   of recursive validators and serializers: a 500);
 * - a NUL character (\u0000) in any key or string is refused: PostgreSQL cannot store it in text or
 *   jsonb, and no legitimate text contains it.
 * Iterative, so the check itself cannot overflow. Errors name the offending field as a JSON pointer.
 */
export const MAX_DEPTH = 32;

const pointer = (path: string[]) => '/' + path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1').replace(/\u0000/g, '\\u0000')).join('/');

export function guardInput(value: unknown, root: '' | '/query' = ''): void {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw invalid(root + pointer(path), 'must not contain NUL (\\u0000) characters');
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (path.length >= MAX_DEPTH) throw invalid(root + pointer(path), `is nested deeper than ${MAX_DEPTH} levels`);
    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\u0000')) throw invalid(root + pointer(path), 'has a key containing a NUL (\\u0000) character');
      stack.push({ v: child, path: [...path, k] });
    }
  }
}
