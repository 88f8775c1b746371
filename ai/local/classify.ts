import { DEFAULT_INTENTS, type IntentDef, type SentimentLabel } from '../intents.ts';
import { loadMessages, type LabelledMessage } from '../eval/dataset.ts';
import { trainNaiveBayes, type NaiveBayes } from './naive-bayes.ts';
import { cues, features } from './text.ts';

/**
 * The local intent and sentiment models: naive Bayes over tokens, bigrams and domain cues,
 * trained at start on the labelled set shipped in ai/eval (or, for the evaluation, on its
 * training split only) plus each org intent's description and examples. An org intent the
 * labelled set does not know is learned from its description and examples alone.
 */
export interface Classifiers {
  intent(text: string): { id: string; confidence: number };
  sentiment(text: string): { label: SentimentLabel; score: number };
}

const MIN_EXAMPLES = 20;
const round = (n: number) => Math.round(n * 1000) / 1000;

export function trainClassifiers(intents: IntentDef[] = DEFAULT_INTENTS, labelled: LabelledMessage[] = loadMessages()): Classifiers {
  const ids = new Set(intents.map((i) => i.id));
  const intentExamples = labelled.filter((m) => ids.has(m.intent)).map((m) => ({ features: features(m.text), label: m.intent }));
  for (const i of intents) {
    // An intent with few labelled examples (an org's own) repeats its description and examples, so
    // its words weigh like a labelled intent's instead of losing to the broad domain cues.
    const labelledCount = intentExamples.filter((e) => e.label === i.id).length;
    const texts = [i.description, ...(i.examples ?? [])];
    const repeat = Math.max(1, Math.ceil(MIN_EXAMPLES / (labelledCount + texts.length)));
    for (let r = 0; r < repeat; r++) for (const text of texts) intentExamples.push({ features: features(text), label: i.id });
  }
  // A uniform prior: rare intents (emergency) must not lose to frequent ones on priors alone.
  const intentModel: NaiveBayes = trainNaiveBayes(intentExamples, { uniformPrior: true });
  const sentimentModel = trainNaiveBayes(labelled.map((m) => ({ features: sentimentFeatures(m.text), label: m.sentiment })));
  return {
    intent(text) {
      const { label, probs } = intentModel.predict(features(text));
      return { id: label, confidence: round(probs[label]!) };
    },
    sentiment(text) {
      const { label, probs } = sentimentModel.predict(sentimentFeatures(text));
      // Score in [-1, 1]: the model's lean, so "water pouring through my ceiling!!" is well below 0.
      const score = round((probs.positive ?? 0) - (probs.negative ?? 0));
      return { label: label as SentimentLabel, score };
    },
  };
}

/** Sentiment reads the same features plus the danger/urgency cues counted twice more (they carry the tone of SMS). */
function sentimentFeatures(text: string): string[] {
  const c = cues(text);
  const extra = ['__neg', '__pos', '__danger', '__urgent', '__water', '__thanks'].filter((n) => c.has(n));
  return [...features(text), ...extra, ...extra];
}
