import { BUILTIN_TYPES, type Detector } from './redaction-detectors.ts';

/**
 * Org-defined redaction patterns. They run on every message of the org, so a pattern is refused
 * when it could hang the process: too long, matching the empty string, backreferences, or a
 * quantified group that itself contains a quantifier ((a+)+, (\w*\s?)* …) — the classic shapes
 * of catastrophic backtracking. The check is a heuristic on the source, not a proof.
 */
export interface OrgPattern {
  name: string;
  regex: string;
  replacement?: string;
}

export const MAX_PATTERN_LENGTH = 200;

/** Scans a regex source for backreferences and nested variable quantifiers. */
function shapeProblem(source: string): string | null {
  const open: { quantified: boolean }[] = [];
  let lastGroupQuantified: boolean | null = null;
  const markQuantifier = () => open.forEach((g) => (g.quantified = true));
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const closedGroup = lastGroupQuantified;
    lastGroupQuantified = null;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'uses a backreference, which can be catastrophically slow';
      i++;
      continue;
    }
    if (ch === '[') {
      // Skip the class: quantifier characters inside it are literals.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (ch === '(') {
      open.push({ quantified: false });
      continue;
    }
    if (ch === ')') {
      lastGroupQuantified = open.pop()?.quantified ?? false;
      continue;
    }
    const variable = ch === '*' || ch === '+' || (ch === '{' && /^\{\d*,\d*\}/.test(source.slice(i)));
    if (!variable) continue;
    if (closedGroup) return 'nests quantifiers (like (a+)+), which can be catastrophically slow';
    markQuantifier();
    if (ch === '{') i = source.indexOf('}', i);
    if (source[i + 1] === '?' || source[i + 1] === '+') i++; // lazy / possessive-looking suffix
  }
  return null;
}

/** Why a pattern cannot be used, or null when it can. */
export function patternProblem(source: string): string | null {
  if (source.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  let re: RegExp;
  try {
    re = new RegExp(source, 'g');
  } catch {
    return 'is not a valid regular expression';
  }
  if (re.test('')) return 'matches the empty string';
  return shapeProblem(source);
}

/** The ajv keyword the org settings schema uses on pattern sources (error text = patternProblem). */
export const safeRegexKeyword = {
  keyword: 'x-safe-regex',
  errors: true,
  validate: function check(_schema: unknown, data: unknown): boolean {
    const problem = typeof data === 'string' ? patternProblem(data) : null;
    (check as unknown as { errors: object[] }).errors = problem ? [{ keyword: 'x-safe-regex', message: problem, params: {} }] : [];
    return !problem;
  },
};

export const safeModeSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  default: { enabled: false, apply: 'before_storage' },
  description: 'Redaction of payment cards, US SSNs, bank account/routing numbers and the org patterns below.',
  properties: {
    enabled: { type: 'boolean', default: false },
    apply: {
      enum: ['before_storage', 'before_egress'],
      default: 'before_storage',
      description: 'before_storage: message text is redacted before it is encrypted and stored. before_egress: stored as sent, redacted whenever it leaves Switchboard (CRM logs, AI, outbound webhooks).',
    },
    patterns: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'regex'],
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,31}$', not: { enum: [...BUILTIN_TYPES] }, description: 'Also the finding type; not a built-in type.' },
          regex: { type: 'string', minLength: 1, 'x-safe-regex': true, description: `JavaScript regex source, case-sensitive, at most ${MAX_PATTERN_LENGTH} characters, no backreferences or nested quantifiers.` },
          replacement: { type: 'string', maxLength: 100, description: 'Literal text put in place of a match; default "[redacted <name>]".' },
        },
      },
    },
  },
} as const;

export interface SafeModeSettings {
  enabled: boolean;
  apply: 'before_storage' | 'before_egress';
  patterns?: OrgPattern[];
}

// Compiled once per source: settings are read per message, patterns rarely change.
const compiled = new Map<string, RegExp | null>();
function compileOnce(source: string): RegExp | null {
  if (!compiled.has(source)) {
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, patternProblem(source) ? null : new RegExp(source, 'g'));
  }
  return compiled.get(source)!;
}

export function orgDetector(p: OrgPattern): Detector {
  const replacement = p.replacement ?? `[redacted ${p.name}]`;
  return {
    type: p.name,
    find(text) {
      // A stored pattern that no longer passes the checks is ignored rather than run.
      const re = compileOnce(p.regex);
      if (!re) return [];
      const out = [];
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0] === '') {
          re.lastIndex++;
          continue;
        }
        out.push({ type: p.name, start: m.index, end: m.index + m[0].length, replacement });
      }
      return out;
    },
  };
}
