/** Sums up what the reliability tests recorded (report.ts) into the figures RELIABILITY.md quotes. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ReliabilitySummary {
  hostileInputs: { tried: number; fiveHundreds: number; rowsLeaked: number; byEndpoint: Record<string, number> };
  concurrency: Array<{ path: string; concurrent: number; created: number; expected: number }>;
  faults: Array<Record<string, unknown>>;
  isolation: { checks: number; leaks: number };
  /** What each attack of test/reliability/abuse*.test.ts tried and what held. */
  abuse: Array<Record<string, unknown>>;
  secrets?: { rowsScanned: number; logBytes: number; findings: number };
}

async function lines(dir: string, section: string): Promise<Array<Record<string, any>>> {
  const text = await readFile(join(dir, `${section}.jsonl`), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

export async function summarize(dir: string): Promise<ReliabilitySummary> {
  const hostile = await lines(dir, 'hostile');
  const byEndpoint: Record<string, number> = {};
  for (const h of hostile) byEndpoint[h.endpoint] = (byEndpoint[h.endpoint] ?? 0) + h.tried;
  const isolation = await lines(dir, 'isolation');
  return {
    hostileInputs: {
      tried: hostile.reduce((n, h) => n + h.tried, 0),
      fiveHundreds: hostile.reduce((n, h) => n + h.fiveHundreds, 0),
      rowsLeaked: hostile.reduce((n, h) => n + h.rowsLeaked, 0),
      byEndpoint,
    },
    concurrency: (await lines(dir, 'concurrency')) as ReliabilitySummary['concurrency'],
    faults: await lines(dir, 'faults'),
    isolation: { checks: isolation.length, leaks: isolation.filter((i) => i.leaked).length },
    abuse: await lines(dir, 'abuse'),
  };
}

export async function writeSummary(dir: string, summary: ReliabilitySummary): Promise<string> {
  const path = join(dir, 'summary.json');
  await mkdir(dir, { recursive: true });
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
  return path;
}

export async function listSections(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.jsonl'));
}
