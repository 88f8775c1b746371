import fs from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, so the two workers finish together instead of one idling while the other
 * runs a minute-long file it picked up last. Vitest orders by the durations it cached on the
 * previous run; a clean clone (CI) has no cache, and vitest falls back to file size, which puts
 * the slowest files — the ones that start `switchboard start` processes or a browser, usually
 * short — near the end. Without a cached duration, those files go first here, then by size.
 */
const STARTS_PROCESSES = /\bstartCli\(|\bcliEnv\(|\brunCli\(|\buseDashboard\(|\blaunchBrowser\(|chromium/;

export default class SlowFirstSequencer extends BaseSequencer {
  private spawns = new Map<string, boolean>();

  private startsProcesses(spec: TestSpecification): boolean {
    let v = this.spawns.get(spec.moduleId);
    if (v === undefined) {
      v = STARTS_PROCESSES.test(fs.readFileSync(spec.moduleId, 'utf8'));
      this.spawns.set(spec.moduleId, v);
    }
    return v;
  }

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const cache = this.ctx.cache;
    const known = (spec: TestSpecification) => !!cache.getFileTestResults(`${spec.project.name}:${spec.moduleId.slice(this.ctx.config.root.length + 1)}`);
    // With durations for every file, vitest's own order (longest first) stands.
    if (sorted.every(known)) return sorted;
    // A stable partition of vitest's order: process-starting files first.
    return [...sorted.filter((s) => this.startsProcesses(s)), ...sorted.filter((s) => !this.startsProcesses(s))];
  }
}
