import { createAjv } from '../connectors/kit/ajv.ts';
import { addSettingsSection } from '../core/org-settings.ts';
import { DEFAULT_INTENTS, type IntentDef } from './intents.ts';
import type { Task } from './provider.ts';
import type { SavedReply } from './local/replies.ts';

/**
 * Org setting `ai` (PATCH /v1/org {"settings": {"ai": {…}}}; the section is replaced as a whole,
 * missing keys take their defaults). What runs automatically, the intent list both providers
 * classify into, saved replies, the provider choice and the monthly token budget for external calls.
 */
const tasks = { type: 'array', uniqueItems: true, items: { type: 'string', enum: ['intent', 'sentiment', 'entities', 'summary', 'replies'] } } as const;

export const aiSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'AI enrichment (ai/README.md).',
  default: {},
  properties: {
    provider: {
      type: 'string',
      enum: ['auto', 'local'],
      default: 'auto',
      description: 'auto: the org’s active AI connection (connector openai) when it has one, else the local provider; local: never call out.',
    },
    onInboundMessage: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Enrich every inbound message (a queue job after it is committed, never on the ingest path).',
      properties: { enabled: { type: 'boolean', default: true }, tasks: { ...tasks, default: ['intent', 'sentiment', 'entities'] } },
    },
    onConversationClosed: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Enrich a conversation (summary…) when it is closed.',
      properties: { enabled: { type: 'boolean', default: true }, tasks: { ...tasks, default: ['summary', 'intent', 'sentiment', 'entities', 'replies'] } },
    },
    onConversationIdle: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Enrich a conversation (summary…) once nobody has written in it for `minutes` (a sweep every minute; open and snoozed conversations that went quiet within the last day).',
      properties: {
        enabled: { type: 'boolean', default: false },
        minutes: { type: 'integer', minimum: 1, maximum: 1440, default: 30 },
        tasks: { ...tasks, default: ['summary', 'intent', 'sentiment', 'entities', 'replies'] },
      },
    },
    intents: {
      type: 'array',
      minItems: 2,
      maxItems: 50,
      default: DEFAULT_INTENTS,
      description: 'The intents messages are classified into (id + description; examples help the local classifier).',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'description'],
        properties: {
          id: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
          description: { type: 'string', minLength: 1, maxLength: 500 },
          examples: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 500 } },
        },
      },
    },
    savedReplies: {
      type: 'array',
      maxItems: 200,
      default: [],
      description: 'Replies agents reuse; ranked for a conversation as suggested replies.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'text'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 64 },
          text: { type: 'string', minLength: 1, maxLength: 1600 },
          intents: { type: 'array', maxItems: 20, items: { type: 'string' } },
        },
      },
    },
    monthlyTokenBudget: {
      type: ['integer', 'null'],
      minimum: 0,
      default: null,
      description: 'Tokens per calendar month (UTC) for external AI calls; once used up, enrichment falls back to local and an ai.budget_exceeded event is emitted. null: no limit.',
    },
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 120000, default: 20000, description: 'Deadline of one external AI call.' },
  },
} as const;

addSettingsSection('ai', aiSettingsSchema);

export interface AiSettings {
  provider: 'auto' | 'local';
  onInboundMessage: { enabled: boolean; tasks: Task[] };
  onConversationClosed: { enabled: boolean; tasks: Task[] };
  onConversationIdle: { enabled: boolean; minutes: number; tasks: Task[] };
  intents: IntentDef[];
  savedReplies: SavedReply[];
  monthlyTokenBudget: number | null;
  timeoutMs: number;
}

const fill = createAjv({ useDefaults: true }).compile(aiSettingsSchema);

/** The org's ai section with every default filled in (org settings keep an absent section as {}). */
export function aiSettings(s: Record<string, unknown>): AiSettings {
  const ai = structuredClone((s.ai ?? {}) as Record<string, unknown>);
  fill(ai);
  return ai as unknown as AiSettings;
}
