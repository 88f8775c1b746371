import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one line per project and a node-style total (`N passed, N failed, N skipped`)
 * that CI logs are searched for; skipped tests are listed with the file they are in, so a skip
 * is never silent. The slowest files are listed too: CI has a time budget, and this is where to look.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byProject = new Map<string, { passed: number; failed: number; skipped: number; files: number }>();
    const skipped: string[] = [];
    for (const mod of modules) {
      const name = mod.project.name || 'default';
      const counts = byProject.get(name) ?? { passed: 0, failed: 0, skipped: 0, files: 0 };
      counts.files++;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') counts.passed++;
        else if (result.state === 'failed') counts.failed++;
        else {
          counts.skipped++;
          const note = result.state === 'skipped' ? result.note : undefined;
          skipped.push(`  skipped: ${mod.relativeModuleId} › ${test.fullName}${note ? ` (${note})` : ''}`);
        }
      }
      byProject.set(name, counts);
    }
    const total = { passed: 0, failed: 0, skipped: 0 };
    const slowest = [...modules]
      .map((mod) => ({ file: mod.relativeModuleId, seconds: mod.diagnostic().duration / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 10)
      .map(({ file, seconds }) => `  ${seconds.toFixed(1).padStart(6)} s  ${file}`);
    const lines = ['', 'slowest files (tests and hooks):', ...slowest, ...skipped];
    for (const [name, c] of [...byProject].sort()) {
      lines.push(`${name}: ${c.files} files, ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
    }
    lines.push(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}
