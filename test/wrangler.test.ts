/** Every worker builds for deployment with wrangler itself (`wrangler deploy --dry-run`). */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { apiNames } from '../platform/stack/config.ts';
import { workerConfigPath } from '../platform/stack/workers.ts';

const wrangler = join('node_modules', 'wrangler', 'bin', 'wrangler.js');

describe.concurrent('wrangler deploy --dry-run', () => {
  it.each([...apiNames, 'delivery' as const])('%s', async (api) => {
    const outdir = await mkdtemp(join(tmpdir(), `dry-run-${api}-`));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [wrangler, 'deploy', '--dry-run', '--outdir', outdir, '--config', workerConfigPath(api)],
        { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' }, timeout: 120_000 },
      );
      expect(stdout).toMatch(/--dry-run: exiting now/);
      const size = (await stat(join(outdir, 'index.js'))).size;
      expect(size).toBeGreaterThan(10_000);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
