/**
 * `npm run dev:edge`: the whole edge (the entry and the five workers) under `wrangler dev`, against
 * the platform `npm start` runs. wrangler dev runs several configs in one process, serving the
 * first one's port and binding the others by service name; each worker reads its local secrets
 * from a .dev.vars beside its config. So this writes, under LOCAL_DIR/wrangler-dev/, a copy of each
 * wrangler.toml (its paths made absolute) with a .dev.vars naming the running platform, and runs
 * wrangler dev on them: the project's own .dev.vars files are neither needed nor touched.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { buildDocsAssets } from './docs-assets.ts';
import { apiNames, readPlatformConfig } from './stack/config.ts';
import { devVarsText, localWorkerBindings } from './stack/index.ts';
import { readStackFile, stackFilePath } from './stack/stack-file.ts';
import { workerConfigPath, type WorkerName } from './stack/workers.ts';

const projectRoot = new URL('../', import.meta.url).pathname;
const wrangler = join(projectRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const help = `Usage: npm run dev:edge [-- --port N]

Runs the edge entry (wrangler.toml) and the five API workers (functions/*/wrangler.toml) under
wrangler dev, in one process, against the platform npm start runs (its LOCAL_DIR/stack.json):
the five APIs on one origin, as deployed. Start npm start first. Ctrl-C stops.

Options:
  --port N   port of the edge (default 8785)
  --help     show this text
`;

/** A worker's config, with `main` and the assets folder made absolute so the copy builds from anywhere. */
async function relocatedConfig(name: WorkerName): Promise<string> {
  const path = workerConfigPath(name);
  const config = parseToml(await readFile(path, 'utf8')) as Record<string, unknown> & { main: string; assets?: { directory: string } };
  config.main = resolve(dirname(path), config.main);
  if (config.assets) config.assets = { ...config.assets, directory: resolve(dirname(path), config.assets.directory) };
  return stringifyToml(config);
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({ options: { port: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    console.error(`npm run dev:edge: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const config = readPlatformConfig();
  const stack = await readStackFile();
  if (!stack) {
    console.error(`npm run dev:edge: no running platform (${stackFilePath()} is missing)\n  → start it first: npm start`);
    return 1;
  }
  const devVars = devVarsText(localWorkerBindings(config, stack.supabase, stack.payments), '# Written by npm run dev:edge for the platform npm start runs.');
  const root = join(config.localDir, 'wrangler-dev');
  const configs: string[] = [];
  await buildDocsAssets();
  for (const name of ['edge', ...apiNames] as WorkerName[]) {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'wrangler.toml'), `# Written by npm run dev:edge from ${workerConfigPath(name)}; edit that one.\n${await relocatedConfig(name)}`);
    if (name !== 'edge') {
      await writeFile(join(dir, '.dev.vars'), devVars, { mode: 0o600 });
    }
    configs.push('-c', join(dir, 'wrangler.toml'));
  }
  const port = values.port ?? '8785';
  console.log(`· wrangler dev: the edge on http://127.0.0.1:${port}, against ${stack.supabase.url}`);
  const child = spawn(process.execPath, [wrangler, 'dev', ...configs, '--port', port, '--ip', '127.0.0.1', '--persist-to', join(root, 'state')], {
    cwd: projectRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((done) => child.once('exit', (code) => done(code ?? 0)));
}

if (import.meta.main) process.exit(await main());
