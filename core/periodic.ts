import type { Logger } from 'pino';

/**
 * Runs `pass` every `tickMs` (measured from the end of the previous pass, so passes never
 * overlap in one process); a failed pass is logged and the loop goes on. stop() waits for a pass
 * in progress. Background jobs that claim their own work (poller, provisioning) share this loop.
 */
export function runEvery(pass: () => Promise<unknown>, tickMs: number, log: Logger, failure: string): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass()
        .catch((err) => log.error({ err }, failure))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, tickMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
