import { performance } from 'node:perf_hooks';

/** What every load generator in bench/ does the same way: options, and N requests kept in flight. */

/** A positive integer option (flag, else env, else default); a bad value exits 2 with the usage. */
export function positiveInt(name: string, raw: string | undefined, dflt: number, help: string): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer (got "${raw}")\n${help}\n`);
    process.exit(2);
  }
  return n;
}

export interface LoadResult {
  latencies: number[];
  errors: number;
  firstError?: string;
  seconds: number;
}

/**
 * Calls send(i) for i in [0, total) with `concurrency` calls in flight; a call counts as failed
 * when it throws or resolves to a message (its first one is kept).
 */
export async function inFlight(total: number, concurrency: number, send: (i: number) => Promise<string | undefined>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        // fetch reports the socket's own error (a reset, a timeout) as its cause.
        const failure = await send(i).catch((e: Error) => `request failed: ${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}`);
        latencies.push(performance.now() - t0);
        if (failure) {
          errors++;
          firstError ??= failure;
        }
      }
    }),
  );
  return { latencies, errors, firstError, seconds: (performance.now() - started) / 1000 };
}
