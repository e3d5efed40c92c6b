/**
 * Each worker's deployable size, from `wrangler deploy --dry-run` (the bundle Cloudflare would
 * receive), and its cold start in workerd: the time from handing the script to a fresh Miniflare
 * to the first answer of /health, less the same for a worker that does nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { apiNames } from '../platform/stack/config.ts';
import { workerConfigPath, type WorkerName } from '../platform/stack/workers.ts';

export interface BundleFigure {
  worker: WorkerName;
  minifiedBytes: number;
  gzipBytes: number;
  /** Median cold start over five runs, less an empty worker's (ms); within a few ms of noise. */
  startupMs: number | null;
}

const wrangler = join('node_modules', 'wrangler', 'bin', 'wrangler.js');

async function coldStart(script: string, compatibilityDate: string): Promise<number> {
  const started = performance.now();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: [{ type: 'ESModule', path: 'index.js', contents: script }],
      compatibilityDate,
      compatibilityFlags: ['nodejs_compat'],
      bindings: { SUPABASE_URL: 'http://127.0.0.1:9', SUPABASE_ANON_KEY: 'x', SUPABASE_JWT_SECRET: 'x'.repeat(32) },
      log: new Log(LogLevel.ERROR),
      handleStructuredLogs: () => {},
    }),
  );
  try {
    await mf.ready;
    await (await mf.dispatchFetch('http://worker/health')).arrayBuffer();
    return performance.now() - started;
  } finally {
    await mf.dispose();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureBundles(progress: (message: string) => void): Promise<BundleFigure[]> {
  const figures: BundleFigure[] = [];
  const empty = 'export default { fetch() { return new Response("ok"); } };';
  const compatibilityDate = (await readFile(workerConfigPath('kit'), 'utf8')).match(/compatibility_date\s*=\s*"([^"]+)"/)![1]!;
  const baselines: number[] = [];
  for (let i = 0; i < 5; i++) baselines.push(await coldStart(empty, compatibilityDate));
  const baseline = median(baselines);
  for (const api of ['edge', ...apiNames, 'delivery'] as WorkerName[]) {
    progress(`bundle: ${api}`);
    const outdir = await mkdtemp(join(tmpdir(), `bench-${api}-`));
    try {
      await promisify(execFile)(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir, '--config', workerConfigPath(api)], {
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
        timeout: 120_000,
      });
      const script = await readFile(join(outdir, 'index.js'), 'utf8');
      const starts: number[] = [];
      for (let i = 0; i < 5; i++) starts.push(await coldStart(script, compatibilityDate));
      figures.push({
        worker: api,
        minifiedBytes: (await stat(join(outdir, 'index.js'))).size,
        gzipBytes: gzipSync(script, { level: 9 }).length,
        startupMs: Math.round((median(starts) - baseline) * 10) / 10,
      });
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }
  return figures;
}
