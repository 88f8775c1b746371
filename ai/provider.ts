import type { Entity } from './local/entities.ts';
import type { IntentDef, SentimentLabel } from './intents.ts';
import type { SavedReply } from './local/replies.ts';

/**
 * One provider interface, two providers: local (ai/local/provider.ts, the default: no key, no
 * network) and openai (ai/openai-provider.ts, any OpenAI-compatible server through an "AI"
 * connection). A request carries only this org's data: the conversation's own messages, its
 * intent list and its saved replies.
 */
export type Task = 'intent' | 'sentiment' | 'entities' | 'summary' | 'replies';
export const TASKS: Task[] = ['intent', 'sentiment', 'entities', 'summary', 'replies'];

export interface EnrichMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  text: string;
}

/** An org's correction of a message (ai/corrections.ts): a training example for its local classifier. */
export interface Correction {
  text: string;
  intent: string | null;
  sentiment: SentimentLabel | null;
}

export interface EnrichRequest {
  intents: IntentDef[];
  /**
   * The org's corrections, for the local provider: `version` names them (org + count + last
   * change), `load` reads them; a provider that already trained on this version never loads.
   */
  corrections?: { version: string; load(): Promise<Correction[]> };
  savedReplies: SavedReply[];
  /** The conversation so far, oldest first (text already redacted when it is to leave). */
  messages: EnrichMessage[];
  /** Message-level enrichment classifies this message; without it the conversation is the subject. */
  messageId?: string;
  tasks: Task[];
}

export interface Enrichment {
  intent?: { id: string; confidence: number };
  sentiment?: { label: SentimentLabel; score: number };
  entities?: Entity[];
  summary?: string;
  suggestedReplies?: { id: string; text: string; score: number }[];
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ProviderResult {
  enrichment: Enrichment;
  usage?: Usage;
  model?: string;
}

export interface AiProvider {
  name: 'local' | 'openai';
  enrich(req: EnrichRequest, opts?: { signal?: AbortSignal }): Promise<ProviderResult>;
}

/** The text a message-level request is about, or the customer's side of the conversation. */
export function subjectText(req: EnrichRequest): string {
  if (req.messageId) return req.messages.find((m) => m.id === req.messageId)?.text ?? '';
  const inbound = req.messages.filter((m) => m.direction === 'inbound');
  return (inbound.at(-1) ?? req.messages.at(-1))?.text ?? '';
}
