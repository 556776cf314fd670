import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, that any CI log reader understands,
 * plus the count of unhandled errors when there are any: they fail the run even when every test passed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly SerializedError[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const errors = unhandledErrors.length > 0 ? `, ${unhandledErrors.length} unhandled errors` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped${errors}\n`);
  }
}
