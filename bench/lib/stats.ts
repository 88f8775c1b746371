/** Latency summaries every benchmark prints the same way. */
export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

/** p50/p95/p99/max of samples in milliseconds (sorts a copy). */
export function latency(samplesMs: number[]): Latency {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { p50: round1(percentile(s, 0.5)), p95: round1(percentile(s, 0.95)), p99: round1(percentile(s, 0.99)), max: round1(s.at(-1) ?? NaN) };
}

export const formatLatency = (l: Latency) => `p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  max ${l.max}`;
