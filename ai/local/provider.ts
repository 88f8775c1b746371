import { DEFAULT_INTENTS, type IntentDef } from '../intents.ts';
import { subjectText, type AiProvider, type EnrichRequest, type Enrichment } from '../provider.ts';
import type { LabelledMessage } from '../eval/dataset.ts';
import { trainClassifiers, type Classifiers } from './classify.ts';
import { extractEntities } from './entities.ts';
import { rankReplies } from './replies.ts';
import { summarize } from './summary.ts';

/**
 * The local provider: no key, no network, no download. Models are trained once per intent list
 * (tens of milliseconds) and kept; an org that edits its list, or corrects a classification, gets
 * a model of its own (retrained when its corrections change).
 */
const cache = new Map<string, Classifiers>();

/** The shared models for an intent list, or an org's own when it has corrections (keyed by their version). */
async function classifiersFor(intents: IntentDef[], corrections?: EnrichRequest['corrections']): Promise<Classifiers> {
  const key = `${corrections?.version ?? ''}|${JSON.stringify(intents)}`;
  let c = cache.get(key);
  if (!c) {
    const examples = corrections ? await corrections.load() : [];
    if (cache.size > 100) cache.clear();
    cache.set(key, (c = trainClassifiers(intents, undefined, examples)));
  }
  return c;
}

/** `labelled` replaces the shipped training set (the evaluation trains on its training split only). */
export function createLocalProvider(opts: { labelled?: LabelledMessage[] } = {}): AiProvider {
  const fixed = opts.labelled ? new Map<string, Classifiers>() : null;
  const models = async (intents: IntentDef[], corrections: EnrichRequest['corrections']) => {
    if (!fixed) return classifiersFor(intents, corrections);
    const key = JSON.stringify(intents);
    if (!fixed.has(key)) fixed.set(key, trainClassifiers(intents, opts.labelled));
    return fixed.get(key)!;
  };
  return {
    name: 'local',
    async enrich(req) {
      const m = await models(req.intents.length ? req.intents : DEFAULT_INTENTS, req.corrections);
      const text = subjectText(req);
      const out: Enrichment = {};
      if (req.tasks.includes('intent')) out.intent = m.intent(text);
      if (req.tasks.includes('sentiment')) out.sentiment = m.sentiment(text);
      if (req.tasks.includes('entities')) {
        out.entities = req.messageId ? extractEntities(text) : req.messages.filter((x) => x.direction === 'inbound').flatMap((x) => extractEntities(x.text));
      }
      if (req.tasks.includes('summary')) out.summary = summarize(req.messages);
      if (req.tasks.includes('replies')) out.suggestedReplies = rankReplies(req.savedReplies, text, out.intent?.id ?? m.intent(text).id);
      return { enrichment: out, model: 'local' };
    },
  };
}

/**
 * Trains the default models and runs one message through every step (wink-nlp's first document,
 * the JIT): without it the first message after a start costs ~300 ms instead of ~1 ms. The AI
 * worker calls it once when it starts.
 */
export async function warmUp(): Promise<void> {
  await createLocalProvider().enrich({
    intents: DEFAULT_INTENTS,
    savedReplies: [{ id: 'warm', text: 'We are on the way.' }],
    messages: [{ id: 'warm', direction: 'inbound', text: 'The sink in 4B is leaking again, can someone come Tuesday at 10am? $120 is fine.' }],
    tasks: ['intent', 'sentiment', 'entities', 'summary', 'replies'],
  });
}
