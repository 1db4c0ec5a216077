/** One section of `npm run bench`: a markdown table with its targets, and whether they were met. */
export interface BenchSection {
  /** Heading, e.g. 'Poll efficiency'. */
  readonly title: string;
  /** A markdown table, targets beside the figures. */
  readonly table: string;
  /** Whether every target of the section was met. */
  readonly passed: boolean;
  /** Optional lines under the table (method, caveats). */
  readonly notes?: readonly string[];
}

/** Options every section accepts. */
export interface BenchOptions {
  /** A fast, reduced run (used by the smoke spec in `npm test`). */
  readonly smoke: boolean;
  /** Where a section writes its charts (full runs that write results.md); none when undefined. */
  readonly chartsDir?: string;
}
