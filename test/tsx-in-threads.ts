import { isMainThread } from 'node:worker_threads';

/**
 * Setup file for mutation runs only (SWITCHBOARD_MUTATION=1, vitest.config.ts). Stryker's vitest
 * runner forces `pool: 'threads'`, and a worker thread does not get the `--import tsx` that the
 * forks pool passes to its processes: connector packages loaded at run time by path
 * (connectors/kit/registry.ts imports them outside vitest's module graph) then fail to load as
 * TypeScript. Registering tsx's loader from inside the thread restores what `--import tsx` gives.
 */
if (!isMainThread && !process.execArgv.some((arg) => arg.includes('tsx'))) {
  const { register } = await import('tsx/esm/api');
  register();
}
