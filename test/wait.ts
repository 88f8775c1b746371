import { setTimeout as sleep } from 'node:timers/promises';

// A busy 2-core CI box running the suite in parallel can be several times slower than a quiet
// laptop; waits are stretched (never shortened), so a slow machine only makes a test slower.
const SCALE = Math.max(1, Number(process.env.TEST_WAIT_SCALE ?? 4));

/** Polls until check() returns a truthy value (returned) or fails after timeoutMs (× TEST_WAIT_SCALE), naming what it waited for. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5_000, everyMs = 10): Promise<T> {
  timeoutMs *= SCALE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export { sleep };
