import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ENTITY_TYPES, SENTIMENTS, type EntityType, type SentimentLabel } from '../intents.ts';

/**
 * The labelled evaluation set (ai/eval/*.txt, written for this product's verticals). Entity labels
 * are written as their text; the loader turns each into a character span (its first occurrence
 * after the previous label of the same text) and refuses a label that is not in the message.
 */
export interface LabelledEntity {
  type: EntityType;
  text: string;
  start: number;
  end: number;
}

export interface LabelledMessage {
  id: string;
  vertical: string;
  text: string;
  intent: string;
  sentiment: SentimentLabel;
  entities: LabelledEntity[];
}

export interface LabelledConversation {
  id: string;
  vertical: string;
  messages: { direction: 'inbound' | 'outbound'; text: string }[];
  /** Each fact: alternatives, any of which in the summary counts. */
  facts: string[][];
}

const DIR = new URL('./', import.meta.url);
const SENT: Record<string, SentimentLabel> = { neg: 'negative', neu: 'neutral', pos: 'positive' };

export function loadMessages(): LabelledMessage[] {
  const out: LabelledMessage[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.startsWith('messages-') && f.endsWith('.txt')).sort()) {
    const vertical = file.slice('messages-'.length, -'.txt'.length);
    readFileSync(new URL(file, DIR), 'utf8').split('\n').forEach((line, i) => {
      if (!line.trim() || line.startsWith('#')) return;
      const where = `${file}:${i + 1}`;
      const parts = line.split(/ \|(?: |$)/);
      if (parts.length !== 4) throw new Error(`${where}: expected "intent | sentiment | text | entities"`);
      const [intent, sentiment, text, ents] = parts.map((p) => p.trim()) as [string, string, string, string];
      if (!SENT[sentiment]) throw new Error(`${where}: sentiment must be neg, neu or pos`);
      const entities: LabelledEntity[] = [];
      for (const e of ents.split(';').map((s) => s.trim()).filter(Boolean)) {
        const eq = e.indexOf('=');
        const type = e.slice(0, eq) as EntityType;
        const value = e.slice(eq + 1);
        if (!ENTITY_TYPES.includes(type)) throw new Error(`${where}: unknown entity type "${type}"`);
        const from = Math.max(0, ...entities.filter((x) => x.text === value).map((x) => x.end));
        const start = text.indexOf(value, from);
        if (start < 0) throw new Error(`${where}: entity "${value}" is not in the text`);
        entities.push({ type, text: value, start, end: start + value.length });
      }
      out.push({ id: `${vertical}-${i + 1}`, vertical, text, intent, sentiment: SENT[sentiment]!, entities });
    });
  }
  return out;
}

export function loadConversations(): LabelledConversation[] {
  const out: LabelledConversation[] = [];
  let cur: LabelledConversation | undefined;
  for (const line of readFileSync(new URL('conversations.txt', DIR), 'utf8').split('\n')) {
    if (line.startsWith('## ')) {
      const [id, vertical] = line.slice(3).split(' | ').map((s) => s.trim()) as [string, string];
      cur = { id, vertical, messages: [], facts: [] };
      out.push(cur);
    } else if (cur && /^[CA]: /.test(line)) cur.messages.push({ direction: line[0] === 'C' ? 'inbound' : 'outbound', text: line.slice(3).trim() });
    else if (cur && line.startsWith('facts: ')) cur.facts = line.slice(7).split(' ; ').map((f) => f.split('|').map((a) => a.trim()));
  }
  return out;
}

/**
 * The held-out split: a stable hash of the id puts ~30% of the items in `test`. The local
 * classifier is trained on `train` only when evaluated, so it is never scored on what it saw.
 */
export function isHeldOut(id: string, percent = 30): boolean {
  return createHash('sha256').update(id).digest().readUInt16BE(0) % 100 < percent;
}

export function split<T extends { id: string }>(items: T[]): { train: T[]; test: T[] } {
  return { train: items.filter((x) => !isHeldOut(x.id)), test: items.filter((x) => isHeldOut(x.id)) };
}

export { SENTIMENTS };
