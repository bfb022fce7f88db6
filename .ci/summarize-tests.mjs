// Prints vitest's totals as one plain line 'N passed, N failed, N skipped' (read by CI), from the JSON reporter file.
import { readFileSync } from 'node:fs';
const file = process.argv[2];
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) console.log(`(${r.numFailedTestSuites} test file(s) failed to run)`);
} catch (e) {
  console.log(`could not read the test results (${e.message})`);
  process.exitCode = 1;
}
