import type { Engine } from '../engine.ts';
import { createLogger } from '../logger.ts';
import { sealAll } from './seal.ts';

const log = createLogger('audit');

/**
 * The periodic sealer every relay process runs beside the relay (several are safe: sealers of one
 * org take turns on its head row). Listing and verifying seal first as well, so this only bounds
 * how long an entry stays unsealed when nobody looks.
 */
export interface AuditSealer {
  stop(): Promise<void>;
}

export function startAuditSealer(engine: Engine, opts: { intervalMs?: number } = {}): AuditSealer {
  const intervalMs = opts.intervalMs ?? 2_000;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = sealAll(engine.db)
      .then((n) => void (n && log.debug({ sealed: n }, 'audit entries sealed')))
      .catch((err: Error) => log.error({ err: err.message }, 'audit sealing failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
