/**
 * The built-in detectors of safe mode. Each one finds candidate spans with a regex and then
 * checks what a regex cannot (Luhn, the ABA checksum, SSA ranges, a label nearby), so an order
 * number, a phone number, a date or a ZIP code is left alone.
 */
export interface Span {
  type: string;
  start: number;
  end: number;
  replacement: string;
}

export interface Detector {
  type: string;
  find(text: string): Span[];
}

export const BUILTIN_TYPES = ['card', 'ssn', 'account_number', 'routing_number'] as const;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** ABA routing numbers: weights 3-7-1 sum to a multiple of 10, and the first two digits name a Federal Reserve range. */
function abaValid(d: string): boolean {
  const n = [...d].map(Number);
  const sum = 3 * (n[0]! + n[3]! + n[6]!) + 7 * (n[1]! + n[4]! + n[7]!) + (n[2]! + n[5]! + n[8]!);
  const prefix = n[0]! * 10 + n[1]!;
  const range = prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
  return sum % 10 === 0 && range;
}

/** SSA never issues area 000, 666 or 9xx, group 00 or serial 0000. */
function ssnValid(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) yield m;
}

/** The span of capture group 1 inside its match (the label before it stays readable). */
function groupSpan(m: RegExpExecArray): { start: number; end: number; value: string } {
  const value = m[1]!;
  const start = m.index + m[0].lastIndexOf(value);
  return { start, end: start + value.length, value };
}

// A run of 13–19 digits with single spaces or dashes between them, not touching more digits on
// either side (so two phone numbers in a row never add up to a "card").
const CARD = /(?<!\d[ -]?)[1-9](?:[ -]?\d){12,18}(?![ -]?\d)/g;
const card: Detector = {
  type: 'card',
  find: (text) =>
    [...matches(CARD, text)].flatMap((m) => {
      const digits = m[0].replace(/[ -]/g, '');
      if (!luhn(digits)) return [];
      return [{ type: 'card', start: m.index, end: m.index + m[0].length, replacement: `[redacted card ••••${digits.slice(-4)}]` }];
    }),
};

const SSN_DASHED = /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])/g;
const SSN_LABELLED = /\b(?:ssn|social\s+security(?:\s+(?:number|no\.?|#))?)(?:[\s:#.-]|\bis\b)*(\d{9})(?!\d)/gi;
const ssn: Detector = {
  type: 'ssn',
  find: (text) => [
    ...[...matches(SSN_DASHED, text)]
      .filter((m) => ssnValid(m[1]!, m[2]!, m[3]!))
      .map((m) => ({ type: 'ssn', start: m.index, end: m.index + m[0].length, replacement: '[redacted ssn]' })),
    ...[...matches(SSN_LABELLED, text)].flatMap((m) => {
      const s = groupSpan(m);
      return ssnValid(s.value.slice(0, 3), s.value.slice(3, 5), s.value.slice(5)) ? [{ type: 'ssn', start: s.start, end: s.end, replacement: '[redacted ssn]' }] : [];
    }),
  ],
};

// Account numbers have no checksum: only digits right after an account label count.
const ACCOUNT = /\b(?:account|acct|a\/c)\b\.?(?:\s*(?:number|num|no\.?|nr|#|is|:))*\s*(\d{6,17})(?![\d-])/gi;
const account: Detector = {
  type: 'account_number',
  find: (text) =>
    [...matches(ACCOUNT, text)].map((m) => ({ ...groupSpan(m), type: 'account_number', replacement: '[redacted account number]' })),
};

const NINE = /(?<![\d-])\d{9}(?![\d-])/g;
const BANK_WORDS = /\b(?:routing|rtn|aba|account|acct|bank|transit)\b/i;
const NEAR = 40;
const routing: Detector = {
  type: 'routing_number',
  find: (text) =>
    [...matches(NINE, text)].flatMap((m) => {
      const end = m.index + 9;
      const around = text.slice(Math.max(0, m.index - NEAR), m.index) + ' ' + text.slice(end, end + NEAR);
      if (!abaValid(m[0]) || !BANK_WORDS.test(around)) return [];
      return [{ type: 'routing_number', start: m.index, end, replacement: '[redacted routing number]' }];
    }),
};

/** In priority order: where two detectors claim overlapping text, the earlier one wins. */
export const BUILTIN_DETECTORS: Detector[] = [card, ssn, account, routing];
