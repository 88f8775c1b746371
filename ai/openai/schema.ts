import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../connectors/kit/ajv.ts';
import { ENTITY_TYPES, SENTIMENTS } from '../intents.ts';
import type { EnrichRequest, Task } from '../provider.ts';

/**
 * The structured-output schema of one request: only the tasks asked for, the intent enum = the
 * org's intent ids, reply ids = its saved replies. Strict mode (OpenAI's subset): every property
 * required, additionalProperties false. The same schema validates the answer with ajv, because an
 * OpenAI-compatible server (vLLM, Ollama) may ignore it.
 */
export function outputSchema(req: EnrichRequest): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const has = (t: Task) => req.tasks.includes(t);
  if (has('intent')) {
    props.intent = {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'confidence'],
      properties: { id: { type: 'string', enum: req.intents.map((i) => i.id) }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
    };
  }
  if (has('sentiment')) {
    props.sentiment = {
      type: 'object',
      additionalProperties: false,
      required: ['label', 'score'],
      properties: { label: { type: 'string', enum: [...SENTIMENTS] }, score: { type: 'number', minimum: -1, maximum: 1 } },
    };
  }
  if (has('entities')) {
    props.entities = {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'text'],
        properties: { type: { type: 'string', enum: [...ENTITY_TYPES] }, text: { type: 'string' } },
      },
    };
  }
  if (has('summary')) props.summary = { type: 'string' };
  if (has('replies')) props.suggestedReplyIds = { type: 'array', items: { type: 'string', enum: req.savedReplies.length ? req.savedReplies.map((r) => r.id) : ['none'] } };
  return { type: 'object', additionalProperties: false, required: Object.keys(props), properties: props };
}

const ajv = createAjv();
const cache = new Map<string, ValidateFunction>();

export function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    if (cache.size > 200) cache.clear();
    cache.set(key, (v = ajv.compile(schema)));
  }
  return v;
}
