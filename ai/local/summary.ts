import { extractEntities, sentences } from './entities.ts';
import { cues } from './text.ts';

/**
 * The extractive summary: the conversation's most informative sentences, in their order, at most
 * MAX_SENTENCES and at most half the conversation's text, MAX_CHARS at most (a summary as long as
 * the thread would "recall" every fact and summarize nothing; the evaluation prints the ratio). A sentence scores by its entities (dates, units, amounts…), domain cues
 * (a leak, a price, a reschedule) and commitments from our side ("booked", "on the way").
 */
export const MAX_SENTENCES = 3;
export const MAX_CHARS = 240;
export const MAX_RATIO = 0.5;

const COMMITMENT = /\b(book(ed)?|schedul\w*|on the way|dispatch\w*|send(ing)?|refund\w*|credit\w*|will|we'?ll|arrives?|eta|minutes?|min|claim|open|confirm\w*|warranty|remove|leave|shut|turn)\b/i;

// A run of digits with single spaces or dashes between them: the shape the redactor reads as one
// card, account or SSN. Half of one ("4111 1111 1111") is not a card to the redactor any more.
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

/**
 * The text's first `max` characters, ended at a word boundary and never inside a digit run: a cut
 * that falls in one moves to before it, so the summary carries a number whole or not at all.
 */
export function cut(text: string, max: number): string {
  let at = max;
  for (const m of text.matchAll(DIGIT_RUN)) {
    if (m.index >= at) break;
    if (m.index + m[0].length > at) {
      at = m.index;
      break;
    }
  }
  const head = text.slice(0, at);
  // Ending exactly before a space is a word boundary already; otherwise drop the partial word.
  return (/\s/.test(text[at] ?? ' ') ? head : head.replace(/\s*\S*$/, '')).trimEnd();
}

export interface SummaryMessage {
  direction: 'inbound' | 'outbound';
  text: string;
}

export function summarize(messages: SummaryMessage[]): string {
  const candidates: { i: number; j: number; who: string; text: string; score: number }[] = [];
  messages.forEach((m, i) => {
    sentences(m.text).forEach((s, j) => {
      const text = s.trim();
      if (!text) return;
      const entities = extractEntities(text).length;
      const c = cues(text);
      let score = 2 * entities + [...c].filter((n) => !['__question', '__thanks', '__pos'].includes(n)).length;
      if (m.direction === 'outbound' && COMMITMENT.test(text)) score += 1.5;
      if (i === 0) score += 2; // the opening states the problem
      if (/[0-9$]/.test(text)) score += 0.5;
      if (text.split(/\s+/).length <= 2) score -= 2; // "ok", "perfect thanks"
      candidates.push({ i, j, who: m.direction === 'inbound' ? 'Customer' : 'Agent', text, score });
    });
  });
  const chosen: typeof candidates = [];
  const budget = Math.min(MAX_CHARS, Math.max(100, MAX_RATIO * messages.reduce((n, m) => n + m.text.length, 0)));
  const sentenceBudget = budget - 30; // room for the details line
  let length = 0;
  for (const c of [...candidates].sort((a, b) => b.score - a.score || a.i - b.i)) {
    if (chosen.length >= MAX_SENTENCES || c.score <= 0) break;
    const cost = c.text.length + 11; // "Customer: "
    if (length + cost > sentenceBudget) {
      // The best sentence is always in, cut at a word if it is too long on its own.
      if (chosen.length) continue;
      c.text = cut(c.text, sentenceBudget - 12) + '…';
    }
    chosen.push(c);
    length += c.text.length + 11;
  }
  chosen.sort((a, b) => a.i - b.i || a.j - b.j);
  const end = (t: string) => (/[.!?…]$/.test(t) ? t : `${t}.`);
  // Who said it, once per run of sentences from one side.
  let out = chosen.map((c, k) => (k && chosen[k - 1]!.who === c.who ? end(c.text) : `${c.who}: ${end(c.text)}`)).join(' ');
  // The details the chosen sentences left out (a unit, a date, an amount), while the budget lasts.
  const details: string[] = [];
  const seen = (t: string) => out.toLowerCase().includes(t.toLowerCase()) || details.some((d) => d.toLowerCase() === t.toLowerCase());
  for (const e of messages.flatMap((m) => extractEntities(m.text))) {
    if (seen(e.text)) continue;
    if (out.length + 11 + [...details, e.text].join(', ').length > budget) break;
    details.push(e.text);
  }
  if (details.length) out += ` Details: ${details.join(', ')}.`;
  return out;
}
