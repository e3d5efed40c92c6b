/** The benchmark's report from figures: targets judged from the numbers, one chart panel per endpoint. */
import { describe, expect, it } from 'vitest';
import { chartSvg, markdown, type BenchResults, type EndpointFigure } from './report.ts';

const figure = (concurrency: number, rps: number, floorRps: number, extra: Partial<EndpointFigure> = {}): EndpointFigure => ({
  api: 'kit', name: 'POST /v4/purchases', write: true, concurrency, rps, p50Ms: 5, p95Ms: 8, p99Ms: 10,
  floorRps, floorP50Ms: 4, floorP95Ms: 6, floorP99Ms: 8, ratio: Math.round((rps / floorRps) * 100) / 100,
  roundTrips: 1, designedRoundTrips: 1, errors: 0, floorErrors: 0, ...extra,
});

const results = (endpoints: EndpointFigure[], gzipBytes = 40_000): BenchResults => ({
  when: '2026-11-23T00:00:00.000Z',
  machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v24', platform: 'linux x64' },
  settings: { durationS: 5, concurrency: [1, 4, 16], purchases: 1_000_000 },
  endpoints,
  list1M: [{ filter: 'status', query: 'status=RFD', p50Ms: 10, p95Ms: 20, dbP50Ms: 5, dbP95Ms: 8, seqScan: false }],
  bundles: [{ worker: 'kit', minifiedBytes: 90_000, gzipBytes, startupMs: 1 }],
});

describe('markdown', () => {
  it('judges the targets from the figures', () => {
    const good = markdown(results([figure(1, 100, 110), figure(4, 300, 330), figure(16, 400, 450)]), '## Notes');
    expect(good).toMatch(/every write ≥ 0.8 × its floor's throughput \(c=16\) \| yes/);
    expect(good).toMatch(/one PostgREST round trip per write \| yes/);
    expect(good).toMatch(/every worker ≤ 100 KiB gzip \| yes/);
    expect(good.trim().endsWith('## Notes')).toBe(true);
    const bad = markdown(results([figure(16, 300, 450, { p99Ms: 20, roundTrips: 2 })], 120_000), '');
    expect(bad).toMatch(/throughput \(c=16\) \| \*\*no\*\* \| kit POST \/v4\/purchases: 0.67/);
    expect(bad).toMatch(/< 2 × the floor's \| \*\*no\*\*/);
    expect(bad).toMatch(/round trip per write \| \*\*no\*\*/);
    expect(bad).toMatch(/≤ 100 KiB gzip \| \*\*no\*\*/);
    // A list timed partly on refusals (fast, and not the list) does not meet its target.
    const refused = { ...results([figure(16, 400, 450)]), list1M: [{ filter: 'status', query: 'status=RFD', p50Ms: 1, p95Ms: 2, dbP50Ms: 5, dbP95Ms: 8, seqScan: false, errors: 60 }] };
    expect(markdown(refused, '')).toMatch(/no sequential scan \| \*\*no\*\*/);
    expect(markdown(refused, '')).toContain('| no | **60** |');
  });

  it('judges our code against the pass-through worker, and shows workerd CPU per request', () => {
    const measured = (ratio: number) => figure(16, 400, 450, { passThroughRps: 400 / ratio, passThroughP99Ms: 9, passThroughRatio: ratio, workerCpuMsPerRequest: 0.61, passThroughCpuMsPerRequest: 0.52 });
    expect(markdown(results([measured(0.95)]), '')).toMatch(/every endpoint ≥ 0.9 × its pass-through's throughput \(c=16\)[^|]*\| yes \| kit POST \/v4\/purchases: 0.95/);
    const slow = markdown(results([measured(0.85)]), '');
    expect(slow).toMatch(/pass-through's throughput \(c=16\)[^|]*\| \*\*no\*\*/);
    expect(slow).toContain('| 0.61 |');
    // Figures from before the pass-through existed say so rather than passing.
    expect(markdown(results([figure(16, 400, 450)]), '')).toMatch(/pass-through's throughput[^|]*\| \*\*no\*\* \| not measured/);
  });

  it('judges each endpoint at a distance by the round trips it waited against its design', () => {
    const far = (name: string, p50Ms: number, designedRoundTrips: number) => ({
      api: 'kit', name, rttMs: 50, p50Ms, p95Ms: p50Ms + 3, p50AtZeroMs: 4, p95AtZeroMs: 6, designedRoundTrips,
      measuredRoundTrips: Math.round(((p50Ms - 4) / 50) * 100) / 100,
    });
    const near = markdown({ ...results([figure(16, 400, 450)]), atDistance: [far('GET /v4/purchases', 55, 1), far('order, new card', 158, 3)] }, '');
    expect(near).toMatch(/at a simulated 50 ms from the database[^|]*\| yes \| kit GET \/v4\/purchases: 1.02 of 1; kit order, new card: 3.08 of 3/);
    expect(near).toContain('| kit | GET /v4/purchases | 4 | 6 | 50 | 55 | 58 | 1.02 | 1 | yes |');
    // A hidden round trip: two waited where one was designed.
    const hidden = markdown({ ...results([figure(16, 400, 450)]), atDistance: [far('GET /v4/purchases', 105, 1)] }, '');
    expect(hidden).toMatch(/at a simulated 50 ms[^|]*\| \*\*no\*\* \| kit GET \/v4\/purchases: 2.02 of 1/);
    expect(markdown(results([figure(16, 400, 450)]), '')).toMatch(/at a simulated — ms[^|]*\| not measured/);
  });
});

describe('chartSvg', () => {
  it('draws throughput and p99 for the worker and its floor, per endpoint', () => {
    const svg = chartSvg(results([figure(1, 100, 110), figure(4, 300, 330), figure(16, 400, 450)]));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg).toContain('kit POST /v4/purchases');
  });
});

describe('capacity', () => {
  it("turns each endpoint's database CPU per request into requests per second per compute size", () => {
    const text = markdown(results([figure(16, 400, 450, { postgresCpuMsPerRequest: 1.2, postgrestCpuMsPerRequest: 0.2 })]), '');
    // 2 cores × 0.7 × 1000 ÷ 1.4 ms = 1,000; 32 cores: 16,000.
    expect(text).toMatch(/\| kit \| POST \/v4\/purchases \| yes \| 1\.4 \| 1,000 \| 2,000 \| 4,000 \| 8,000 \| 16,000 \|/);
    expect(markdown(results([figure(16, 400, 450)]), '')).toContain('Not measured in this run');
  });
});
