/**
 * Text PostgreSQL cannot store, found anywhere in a decoded value (keys included):
 * - NUL (\u0000): refused by text and jsonb;
 * - a lone UTF-16 surrogate ("\ud800" as JSON escapes it): jsonb refuses it ("invalid input
 *   syntax for type json") and an encrypted field would silently turn it into U+FFFD.
 * One check for every way text gets in: the API's input guard (api/http/input-guard.ts) and
 * provider payloads after mapping (core/connections/ingress.ts). Iterative, so a deep value cannot
 * overflow the stack; `maxDepth` bounds nesting. Paths are JSON pointers.
 */
export interface Unstorable {
  /** JSON pointer of the value or of the object holding the bad key. */
  path: string;
  reason: string;
}

const escapeSegment = (p: string) => p.replace(/~/g, '~0').replace(/\//g, '~1').replace(/\u0000/g, '\\u0000').replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
export const jsonPointer = (path: string[]) => '/' + path.map(escapeSegment).join('/');

// Without the u flag the regexp sees UTF-16 code units: a high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(s)) return 'a lone UTF-16 surrogate (\\ud800–\\udfff without its pair)';
  return null;
}

export function findUnstorable(value: unknown, maxDepth = Infinity): Unstorable | null {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: jsonPointer(path), reason: `must not contain ${problem}` };
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (path.length >= maxDepth) return { path: jsonPointer(path), reason: `is nested deeper than ${maxDepth} levels` };
    for (const [k, child] of Object.entries(v)) {
      const problem = textProblem(k);
      if (problem) return { path: jsonPointer(path), reason: `has a key containing ${problem}` };
      stack.push({ v: child, path: [...path, k] });
    }
  }
  return null;
}
