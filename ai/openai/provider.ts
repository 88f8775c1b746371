import { chatJson, DEFAULT_BASE_URL, type ChatJsonAnswer, type OpenAiConfig, type OpenAiSecrets } from '../../connectors/openai/client.ts';
import type { Entity } from '../local/entities.ts';
import type { EntityType, SentimentLabel } from '../intents.ts';
import { subjectText, type AiProvider, type EnrichRequest, type Enrichment, type Usage } from '../provider.ts';
import { outputSchema, validatorFor } from './schema.ts';

/**
 * The openai provider: one chat completion with structured output per enrichment. The answer is
 * validated with ajv against the request's schema; an invalid answer (not JSON, wrong shape, a
 * refusal) is asked once more, and a second invalid answer is a ProviderFailure carrying the
 * tokens both calls used (the caller falls back to the local provider and records why).
 */
export class ProviderFailure extends Error {
  constructor(
    readonly reason: 'invalid_output' | 'timeout' | 'provider_error',
    readonly usage: Usage,
    readonly calls: number,
    readonly status?: number,
  ) {
    super(`AI provider failed: ${reason}${status ? ` (${status})` : ''}`);
  }
}

const SYSTEM = [
  'You enrich customer conversations for a business (property management, contractors, field service, sales).',
  'Answer only with JSON that matches the response schema. Use only information in the conversation.',
  'intent: the one intent (from the list) of the target message, or of the customer in the whole conversation.',
  'sentiment: the customer’s tone; score from -1 (very negative) to 1 (very positive).',
  'entities: dates, times, money amounts, unit/apartment numbers, street addresses and person names, each copied exactly as written in the target text.',
  'summary: 1-3 sentences an agent can read in five seconds, keeping units, dates, times, amounts and commitments.',
  'suggestedReplyIds: the saved replies that fit best, best first (at most 3).',
  'Text such as [redacted card ••••1111] was removed for privacy; never guess it.',
].join('\n');

function prompt(req: EnrichRequest): { system: string; user: string } {
  const intents = req.intents.map((i) => `- ${i.id}: ${i.description}`).join('\n');
  const replies = req.savedReplies.map((r) => `- ${r.id}: ${r.text}`).join('\n');
  const lines = req.messages.map((m) => `${m.id === req.messageId ? '>>> ' : ''}${m.direction === 'inbound' ? 'Customer' : 'Agent'}: ${m.text}`);
  const target = req.messageId ? 'The target message is marked with >>>.' : 'The subject is the whole conversation.';
  return {
    system: `${SYSTEM}\n\nIntents:\n${intents}${req.tasks.includes('replies') ? `\n\nSaved replies:\n${replies || '(none)'}` : ''}`,
    user: `${target}\n\n${lines.join('\n')}`,
  };
}

/** Entities come back as text; spans are found in the subject text (an entity not in it is dropped). */
function spans(text: string, found: { type: string; text: string }[]): Entity[] {
  const out: Entity[] = [];
  for (const e of found) {
    const start = text.indexOf(e.text, Math.max(0, ...out.filter((x) => x.text === e.text).map((x) => x.end)));
    if (start >= 0 && e.text) out.push({ type: e.type as EntityType, text: e.text, start, end: start + e.text.length });
  }
  return out;
}

function toEnrichment(req: EnrichRequest, raw: Record<string, any>): Enrichment {
  const out: Enrichment = {};
  if (raw.intent) out.intent = { id: raw.intent.id, confidence: raw.intent.confidence };
  if (raw.sentiment) out.sentiment = { label: raw.sentiment.label as SentimentLabel, score: raw.sentiment.score };
  if (raw.entities) out.entities = spans(req.messageId ? subjectText(req) : req.messages.filter((m) => m.direction === 'inbound').map((m) => m.text).join('\n'), raw.entities);
  if (typeof raw.summary === 'string') out.summary = raw.summary;
  if (raw.suggestedReplyIds) {
    out.suggestedReplies = (raw.suggestedReplyIds as string[]).flatMap((id, i) => {
      const r = req.savedReplies.find((x) => x.id === id);
      return r ? [{ id: r.id, text: r.text, score: Math.round((1 - i * 0.1) * 1000) / 1000 }] : [];
    });
  }
  return out;
}

function parse(answer: ChatJsonAnswer, validate: ReturnType<typeof validatorFor>): Record<string, unknown> | null {
  if (answer.refusal || !answer.content) return null;
  try {
    const value = JSON.parse(answer.content);
    return validate(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function createOpenAiProvider(config: OpenAiConfig, secrets: OpenAiSecrets, opts: { timeoutMs?: number } = {}): AiProvider {
  return {
    name: 'openai',
    async enrich(req, o = {}) {
      const schema = outputSchema(req);
      const validate = validatorFor(schema);
      const { system, user } = prompt(req);
      const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
      let calls = 0;
      for (let attempt = 0; attempt < 2; attempt++) {
        let answer: ChatJsonAnswer;
        try {
          calls++;
          answer = await chatJson(config, secrets, { system, user, schemaName: 'enrichment', schema, timeoutMs: opts.timeoutMs ?? 20_000, signal: o.signal });
        } catch (err) {
          const name = (err as Error).name;
          const timeout = name === 'APIConnectionTimeoutError' || name === 'AbortError' || name === 'APIUserAbortError';
          throw new ProviderFailure(timeout ? 'timeout' : 'provider_error', usage, calls, (err as { status?: number }).status);
        }
        usage.promptTokens += answer.usage.promptTokens;
        usage.completionTokens += answer.usage.completionTokens;
        usage.totalTokens += answer.usage.totalTokens;
        const value = parse(answer, validate);
        if (value) return { enrichment: toEnrichment(req, value), usage, model: answer.model };
      }
      throw new ProviderFailure('invalid_output', usage, calls);
    },
  };
}

/** For `npm run eval:ai -- --provider openai`: AI_BASE_URL, AI_API_KEY, AI_MODEL. */
export function openaiProviderFromEnv(env: NodeJS.ProcessEnv): AiProvider {
  if (!env.AI_API_KEY || !env.AI_MODEL) throw new Error('--provider openai needs AI_API_KEY and AI_MODEL (and AI_BASE_URL for a server other than OpenAI).');
  return createOpenAiProvider({ baseUrl: env.AI_BASE_URL ?? DEFAULT_BASE_URL, model: env.AI_MODEL }, { apiKey: env.AI_API_KEY });
}
