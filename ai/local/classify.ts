import { DEFAULT_INTENTS, type IntentDef, type SentimentLabel } from '../intents.ts';
import { loadMessages, type LabelledMessage } from '../eval/dataset.ts';
import { trainNaiveBayes, type NaiveBayes } from './naive-bayes.ts';
import { cues, features, fold } from './text.ts';
import type { Correction } from '../provider.ts';

/**
 * The local intent and sentiment models: naive Bayes over tokens, bigrams and domain cues,
 * trained at start on the labelled set shipped in ai/eval (or, for the evaluation, on its
 * training split only) plus each org intent's description and examples, and the org's own
 * corrections. An org intent the labelled set does not know is learned from its description and
 * examples alone.
 */
export interface Classifiers {
  intent(text: string): { id: string; confidence: number };
  sentiment(text: string): { label: SentimentLabel; score: number };
}

const MIN_EXAMPLES = 20;
const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * An org's correction weighs as this many labelled examples: one correction among ~300 shipped
 * examples must move the model for messages like it, not only be remembered word for word.
 */
const CORRECTION_WEIGHT = 5;

export function trainClassifiers(intents: IntentDef[] = DEFAULT_INTENTS, labelled: LabelledMessage[] = loadMessages(), corrections: Correction[] = []): Classifiers {
  const ids = new Set(intents.map((i) => i.id));
  const intentExamples = labelled.filter((m) => ids.has(m.intent)).map((m) => ({ features: features(m.text), label: m.intent }));
  const sentimentExamples = labelled.map((m) => ({ features: sentimentFeatures(m.text), label: m.sentiment as string }));
  // The org's corrections: weighted examples, and the answer itself for the same text again.
  const remembered = new Map<string, Correction>();
  for (const c of corrections) {
    remembered.set(fold(c.text).trim(), c);
    for (let r = 0; r < CORRECTION_WEIGHT; r++) {
      if (c.intent && ids.has(c.intent)) intentExamples.push({ features: features(c.text), label: c.intent });
      if (c.sentiment) sentimentExamples.push({ features: sentimentFeatures(c.text), label: c.sentiment });
    }
  }
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
  const sentimentModel = trainNaiveBayes(sentimentExamples);
  const correction = (text: string) => (remembered.size ? remembered.get(fold(text).trim()) : undefined);
  return {
    intent(text) {
      const known = correction(text)?.intent;
      if (known && ids.has(known)) return { id: known, confidence: 1 };
      const { label, probs } = intentModel.predict(features(text));
      return { id: label, confidence: round(probs[label]!) };
    },
    sentiment(text) {
      const known = correction(text)?.sentiment;
      if (known) return { label: known, score: known === 'positive' ? 1 : known === 'negative' ? -1 : 0 };
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
