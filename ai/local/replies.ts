import { tokens } from './text.ts';

/**
 * Suggested replies: the org's saved replies (org setting ai.savedReplies) ranked for the
 * conversation: one tagged with the detected intent first, then by word overlap (cosine over
 * token counts) with the latest inbound message.
 */
export interface SavedReply {
  id: string;
  text: string;
  intents?: string[];
}

function cosine(a: string[], b: string[]): number {
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  for (const t of a) ca.set(t, (ca.get(t) ?? 0) + 1);
  for (const t of b) cb.set(t, (cb.get(t) ?? 0) + 1);
  let dot = 0;
  for (const [t, n] of ca) dot += n * (cb.get(t) ?? 0);
  const norm = (m: Map<string, number>) => Math.sqrt([...m.values()].reduce((s, n) => s + n * n, 0));
  return dot ? dot / (norm(ca) * norm(cb)) : 0;
}

export function rankReplies(replies: SavedReply[], lastInbound: string, intent: string | null, limit = 3): { id: string; text: string; score: number }[] {
  const q = tokens(lastInbound);
  return replies
    .map((r) => ({ id: r.id, text: r.text, score: Math.round(((intent && r.intents?.includes(intent) ? 1 : 0) + cosine(q, tokens(r.text))) * 1000) / 1000 }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
