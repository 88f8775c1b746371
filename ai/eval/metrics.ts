import type { Entity } from '../local/entities.ts';
import type { LabelledEntity } from './dataset.ts';

/** Accuracy and macro-F1 (the mean over labels of each label's F1, so rare intents weigh as much as common ones). */
export function classification(pairs: { gold: string; pred: string }[]): { accuracy: number; macroF1: number; perLabel: Record<string, { p: number; r: number; f1: number; n: number }> } {
  const labels = [...new Set(pairs.map((p) => p.gold))].sort();
  const perLabel: Record<string, { p: number; r: number; f1: number; n: number }> = {};
  for (const l of labels) {
    const tp = pairs.filter((x) => x.gold === l && x.pred === l).length;
    const fp = pairs.filter((x) => x.gold !== l && x.pred === l).length;
    const fn = pairs.filter((x) => x.gold === l && x.pred !== l).length;
    const p = tp + fp ? tp / (tp + fp) : 0;
    const r = tp + fn ? tp / (tp + fn) : 0;
    perLabel[l] = { p, r, f1: p + r ? (2 * p * r) / (p + r) : 0, n: tp + fn };
  }
  const accuracy = pairs.filter((x) => x.gold === x.pred).length / (pairs.length || 1);
  const macroF1 = Object.values(perLabel).reduce((s, x) => s + x.f1, 0) / (labels.length || 1);
  return { accuracy, macroF1, perLabel };
}

/** Entity precision/recall: a find matches a label of the same type whose span it overlaps. */
export function entityCounts(gold: LabelledEntity[], pred: Pick<Entity, 'type' | 'start' | 'end'>[]): { tp: number; fp: number; fn: number } {
  const overlaps = (a: { type: string; start: number; end: number }, b: { type: string; start: number; end: number }) => a.type === b.type && a.start < b.end && b.start < a.end;
  const matchedGold = gold.filter((g) => pred.some((p) => overlaps(p, g))).length;
  const matchedPred = pred.filter((p) => gold.some((g) => overlaps(p, g))).length;
  return { tp: matchedGold, fn: gold.length - matchedGold, fp: pred.length - matchedPred };
}

/** A fact is recalled when any of its alternatives is in the summary (case- and accent-insensitive). */
export function factRecall(summary: string, facts: string[][]): { found: number; total: number } {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const s = fold(summary);
  return { found: facts.filter((alts) => alts.some((a) => s.includes(fold(a)))).length, total: facts.length };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
