/**
 * Jest reporter for `npm run test:reliability`: after the run, prints one line counting what
 * the reliability suite checked, read from the results themselves (test titles carry the
 * numbers: fault rows, property runs, leak cycles, credential runs), never hard-coded.
 */
class ReliabilitySummaryReporter {
  onRunComplete(_contexts, results) {
    const tests = results.testResults.flatMap((file) =>
      file.testResults.map((test) => ({ file: file.testFilePath, title: test.title, status: test.status })),
    );
    const inFile = (name) => tests.filter((test) => test.file.endsWith(name));
    const passed = (list) => list.filter((test) => test.status === 'passed').length;
    const numberIn = (title, pattern) => Number((pattern.exec(title) ?? [])[1] ?? 0);

    const rows = inFile('fault-matrix.spec.ts').filter((test) => test.title.startsWith('row: '));
    const properties = inFile('properties.spec.ts').filter((test) => test.title.startsWith('property ('));
    const propertyRuns = properties.reduce((sum, test) => sum + numberIn(test.title, /^property \((\d+) runs\)/), 0);
    const leaks = inFile('leaks.spec.ts');
    const cycles = leaks.reduce((sum, test) => sum + numberIn(test.title, /^(\d+) subscribe\/unsubscribe cycles/), 0);
    const credentials = inFile('credentials.spec.ts');
    const credentialRuns = credentials.reduce((sum, test) => sum + numberIn(test.title, /\((\d+) runs:/), 0);
    const failed = results.numFailedTests;
    const seconds = ((Date.now() - results.startTime) / 1000).toFixed(1);

    process.stdout.write(
      `\nreliability: ${passed(rows)}/${rows.length} fault rows, ` +
        `${passed(properties)}/${properties.length} properties (${propertyRuns} generated cases), ` +
        `leak probe ${passed(leaks)}/${leaks.length} (${cycles} cycles), ` +
        `credential checks ${passed(credentials)}/${credentials.length} (${credentialRuns} row runs), ` +
        `${results.numPassedTests}/${results.numTotalTests} tests passed, ${failed} failed, in ${seconds} s\n`,
    );
  }
}

module.exports = ReliabilitySummaryReporter;
