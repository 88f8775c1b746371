import { defineConnector, type Manifest, type TestResult } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { DEFAULT_BASE_URL, openaiClient, type OpenAiConfig, type OpenAiSecrets } from './client.ts';

const manifest = manifestJson as unknown as Manifest;

const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: DEFAULT_BASE_URL, description: 'OpenAI, Azure OpenAI (https://<resource>.openai.azure.com/openai/v1), vLLM, Ollama (http://host:11434/v1), LM Studio…' },
    model: { type: 'string', minLength: 1, maxLength: 200, description: 'A model that supports structured outputs (response_format json_schema).' },
    baaCovered: { type: 'boolean', default: false, description: 'A HIPAA Business Associate Agreement covers this endpoint (e.g. Azure OpenAI under your BAA, or a server you host). HIPAA-mode orgs use only connections with this set.' },
    organization: { type: 'string', maxLength: 200 },
  },
};

const secretsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiKey'],
  properties: { apiKey: { type: 'string', minLength: 1, maxLength: 500 } },
};

async function test(ctx: { config: OpenAiConfig; secrets: OpenAiSecrets }): Promise<TestResult> {
  try {
    const model = await openaiClient(ctx.config, ctx.secrets, 10_000).models.retrieve(ctx.config.model);
    return { ok: true, message: `Connected; model ${model.id} is available.` };
  } catch (err) {
    return { ok: false, message: (err as { status?: number }).status ? `The server answered ${(err as { status: number }).status}.` : 'The server could not be reached.' };
  }
}

/**
 * An "AI" connection: an OpenAI-compatible chat completions endpoint, model and key per
 * connection (secrets sealed like every connection's). Used by AI enrichment (ai/) when the org's
 * ai.provider is auto. BAA eligibility is per connection (config.baaCovered): a HIPAA org cannot
 * create or save one without it, and the AI layer checks it again before any text leaves.
 */
const openaiConnector = defineConnector<OpenAiConfig, OpenAiSecrets>({
  id: 'openai',
  version: '1.0.0',
  kind: 'ai',
  displayName: 'OpenAI-compatible AI',
  description: 'Summaries, intent, sentiment, entities and suggested replies from OpenAI, Azure OpenAI or any OpenAI-compatible server (structured outputs).',
  configSchema,
  secretsSchema,
  capabilities: ['ai.generate'],
  manifest,
  test,
  // Per connection: the operator says a BAA covers the endpoint (config.baaCovered).
  baaEligible: { configField: 'baaCovered' },
});

export default openaiConnector;
export type { OpenAiConfig, OpenAiSecrets };
