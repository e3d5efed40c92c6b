/**
 * Figures the reliability tests record as they run (inputs tried, statuses seen, rows leaked,
 * duplicates created), appended as JSON lines under .local/test/reliability/ and summed up by the
 * integration setup when the run ends (see RELIABILITY.md).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const reportDir = resolve('.local', 'test', 'reliability');

export function record(section: string, entry: Record<string, unknown>): void {
  mkdirSync(reportDir, { recursive: true });
  appendFileSync(join(reportDir, `${section}.jsonl`), `${JSON.stringify(entry)}\n`);
}
