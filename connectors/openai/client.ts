import OpenAI from 'openai';

/**
 * The one place the openai SDK is called. Any OpenAI-compatible server works: OpenAI, Azure
 * OpenAI (its /openai/v1 base URL), vLLM, Ollama, LM Studio. The SDK's own retries are off: the
 * AI layer decides what a failure means (one retry on invalid output, then the local provider).
 */
export interface OpenAiConfig {
  baseUrl?: string;
  model: string;
  /** The operator's word that a HIPAA Business Associate Agreement covers this endpoint. */
  baaCovered?: boolean;
  organization?: string;
}

export interface OpenAiSecrets {
  apiKey: string;
}

export interface ChatJsonRequest {
  system: string;
  user: string;
  schemaName: string;
  schema: Record<string, unknown>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ChatJsonAnswer {
  content: string | null;
  refusal: string | null;
  model: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export function openaiClient(config: OpenAiConfig, secrets: OpenAiSecrets, timeoutMs = 20_000): OpenAI {
  return new OpenAI({ apiKey: secrets.apiKey, baseURL: config.baseUrl ?? DEFAULT_BASE_URL, organization: config.organization ?? null, timeout: timeoutMs, maxRetries: 0 });
}

/** One chat completion with structured output (response_format json_schema, strict). */
export async function chatJson(config: OpenAiConfig, secrets: OpenAiSecrets, req: ChatJsonRequest): Promise<ChatJsonAnswer> {
  const completion = await openaiClient(config, secrets, req.timeoutMs).chat.completions.create(
    {
      model: config.model,
      temperature: 0,
      messages: [
        { role: 'system', content: req.system },
        { role: 'user', content: req.user },
      ],
      response_format: { type: 'json_schema', json_schema: { name: req.schemaName, strict: true, schema: req.schema } },
    },
    { signal: req.signal, timeout: req.timeoutMs },
  );
  const choice = completion.choices[0];
  return {
    content: choice?.message.content ?? null,
    refusal: choice?.message.refusal ?? null,
    model: completion.model,
    usage: {
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      completionTokens: completion.usage?.completion_tokens ?? 0,
      totalTokens: completion.usage?.total_tokens ?? 0,
    },
  };
}
