/**
 * The platform's workers started again for one test file, against the shared test database, with
 * bindings of its own (lower limits) and Durable Object storage of its own, so counts and
 * isolates start empty and can be restarted.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readPlatformConfig, type ApiName } from '../platform/stack/config.ts';
import { LogSink } from '../platform/stack/errors.ts';
import { localWorkerBindings } from '../platform/stack/index.ts';
import { freePortEnvironment } from '../platform/stack/preflight.ts';
import { startWorkers, type RunningWorkers, type WorkerBindings } from '../platform/stack/workers.ts';
import { stack } from './helpers.ts';

export interface OwnWorkers {
  readonly urls: RunningWorkers['urls'];
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** How many Durable Objects a worker has stored (one SQLite file each, named by the object's id). */
  storedObjects(api: ApiName): Promise<number>;
}

export async function startOwnWorkers(name: string, overrides: Partial<WorkerBindings>): Promise<OwnWorkers> {
  const localDir = resolve('.local', 'test', name);
  const stateDir = join(localDir, 'worker-state');
  await rm(localDir, { recursive: true, force: true });
  const config = readPlatformConfig({ ...process.env, DATABASE_URL: '', LOCAL_DIR: localDir, ...(await freePortEnvironment()) });
  const log = new LogSink(localDir);
  const bindings: WorkerBindings = { ...localWorkerBindings(config, stack().supabase), LOG_REQUESTS: 'false', ...overrides };
  const start = () => startWorkers(config, bindings, log, { assets: false, stateDir });
  let workers = await start();
  return {
    get urls() {
      return workers.urls;
    },
    async restart() {
      await workers.stop();
      workers = await start();
    },
    async stop() {
      await workers.stop();
      await log.close();
    },
    async storedObjects(api) {
      const namespaces = (await readdir(join(stateDir, 'do')).catch(() => [] as string[])).filter((dir) => dir.startsWith(`purchases-${api}-`));
      let count = 0;
      for (const namespace of namespaces) {
        count += (await readdir(join(stateDir, 'do', namespace))).filter((file) => /^[0-9a-f]{64}\.sqlite$/.test(file)).length;
      }
      return count;
    },
  };
}
