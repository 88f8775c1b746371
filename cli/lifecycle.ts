import { createLogger } from '../core/logger.ts';

const log = createLogger('cli');

// A graceful stop that hangs (a stuck connection) must not keep the process alive forever.
const FORCE_EXIT_MS = 20_000;

/**
 * Resolves on the first SIGINT/SIGTERM; a second one exits at once. After the first, the process
 * exits by itself if the shutdown takes longer than FORCE_EXIT_MS.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without a clean shutdown');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      setTimeout(() => {
        log.error('shutdown timed out; exiting');
        process.exit(1);
      }, FORCE_EXIT_MS).unref();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs cleanups in reverse order of registration; one failing does not skip the others. */
export function cleanupStack() {
  const fns: { name: string; fn: () => Promise<void> }[] = [];
  return {
    push(name: string, fn: () => Promise<void>) {
      fns.push({ name, fn });
    },
    async run() {
      for (const { name, fn } of fns.reverse()) {
        await fn().catch((err: Error) => log.error({ step: name, err: err.message }, 'shutdown step failed'));
      }
      fns.length = 0;
    },
  };
}
