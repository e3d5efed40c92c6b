/**
 * `npm run deploy`: the whole platform, in the order it depends on itself: the database schema,
 * the queues, the five API workers (each with its own secrets and Durable Object migrations), the
 * delivery worker that consumes the queues, then the edge entry that binds to the five.
 * `--dry-run` checks and builds all of it and uploads nothing.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { parse as parseToml } from 'smol-toml';
import { buildDocsAssets } from '../docs-assets.ts';
import { apiNames, type ApiName } from '../stack/config.ts';
import { PlatformError } from '../stack/errors.ts';
import { listMigrations, migrate } from '../stack/migrate.ts';
import { workerConfigPath, type WorkerName } from '../stack/workers.ts';
import { awsRegionHints, placementFor, withPlacement, type Placement } from './placement.ts';
import { readSecrets, secretsOfWorker, secretsToRemove, SecretsError, type SecretName } from './secrets.ts';

const projectRoot = new URL('../../', import.meta.url).pathname;
const wrangler = join(projectRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const help = `Usage: npm run deploy [-- options]

Deploys the platform, in order:
  1. the database: every migration in supabase/migrations it lacks (never the seed: its demo
     credentials are public), through the migration runner against --database-url
  2. the queues the delivery worker's wrangler.toml names (created where missing)
  3. the five API workers (functions/<api>/wrangler.toml), each with only the secrets it reads
     from the secrets file and its Durable Object migrations, on its custom domain if deploy.toml
     names one
  4. the delivery worker (functions/delivery/wrangler.toml): emails and webhooks, from the mail
     domain and with the download links deploy.toml's [delivery] names
  5. the edge entry (wrangler.toml), bound to the five, on its custom domain

Options:
  --dry-run            check the secrets, list the migrations and build every worker with wrangler;
                       upload nothing, change no database (needs no account: the values only the
                       providers give, SUPABASE_URL, SUPABASE_ANON_KEY and RESEND_API_KEY, and
                       deploy.toml's [delivery], may still be missing, each said in a warning)
  --secrets FILE       the workers' secrets, .env format (default .secrets.env; npm run keys writes one)
  --settings FILE      custom domains per worker, the delivery worker's mail domain and download
                       links, and the database's cloud region the API workers are placed in
                       (default deploy.toml when present; see deploy.example.toml)
  --database-url URL   the database to migrate (default DATABASE_URL): the Supabase project's session
                       pooler connection string
  --skip-database      deploy the workers only
  --help               show this text

wrangler needs an account: run npx wrangler login once, or set CLOUDFLARE_API_TOKEN.
`;

interface Settings {
  /** Custom domains by worker name (edge, lumen, operations, dpd, kit, groupcommerce). */
  domains: Partial<Record<WorkerName, string>>;
  /** The delivery worker's vars from [delivery]: MAIL_FROM_DOMAIN and DOWNLOAD_BASE_URL. */
  delivery: Partial<Record<'MAIL_FROM_DOMAIN' | 'DOWNLOAD_BASE_URL', string>>;
  /** Where the five API workers run: Smart Placement, or [placement] region (placement.ts). */
  placement: Placement;
}

/**
 * The delivery worker's wrangler.toml holds placeholders (example.com) so that local development
 * runs; deployed, mail would leave from a domain nobody verified and link downloads nowhere. The
 * real values come from deploy.toml's [delivery]: a deployment refuses to go without them, or with
 * a domain reserved for examples (RFC 2606: example.com, .org, .net, and .example, .test, .invalid).
 */
const reservedForExamples = /(^|\.)(example\.(com|org|net)|example|test|invalid|localhost)$/i;
const deliverySettings = [
  ['mail_from_domain', 'MAIL_FROM_DOMAIN', /^[a-z0-9.-]+\.[a-z]{2,}$/i, 'a domain, such as mail.example.org'],
  ['download_base_url', 'DOWNLOAD_BASE_URL', /^https:\/\/[^/\s]+(\/\S*)?$/, 'an https URL, such as https://downloads.example.org'],
] as const;

/** The delivery settings a real deployment cannot go with: missing, or naming a domain reserved for examples. */
function deliveryProblems(delivery: Settings['delivery']): string[] {
  return deliverySettings.flatMap(([key, name]) => {
    const value = delivery[name];
    if (!value) return [`[delivery] ${key} is not set (the placeholder in functions/delivery/wrangler.toml stands in)`];
    return reservedForExamples.test(new URL(value.includes('://') ? value : `https://${value}`).hostname) ? [`[delivery] ${key} ${value} is a domain reserved for examples`] : [];
  });
}

async function readSettings(path: string | undefined): Promise<Settings> {
  const file = path ?? (existsSync(join(projectRoot, 'deploy.toml')) ? join(projectRoot, 'deploy.toml') : undefined);
  if (!file) return { domains: {}, delivery: {}, placement: placementFor(undefined)! };
  let parsed: { domains?: Record<string, unknown>; delivery?: Record<string, unknown>; placement?: Record<string, unknown> };
  try {
    parsed = parseToml(await readFile(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new PlatformError(`${file} cannot be read: ${(error as Error).message.split('\n')[0]}`, 'see deploy.example.toml');
  }
  const domains: Settings['domains'] = {};
  for (const [name, domain] of Object.entries(parsed.domains ?? {})) {
    if (name !== 'edge' && !(apiNames as readonly string[]).includes(name)) {
      throw new PlatformError(`${file}: [domains] names ${name}, which is not a worker`, `use edge, ${apiNames.join(', ')}`);
    }
    if (typeof domain !== 'string' || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain)) {
      throw new PlatformError(`${file}: the domain of ${name} is not a hostname`, 'write it like api.example.com');
    }
    domains[name as WorkerName] = domain;
  }
  const delivery: Settings['delivery'] = {};
  for (const [key, name, shape, example] of deliverySettings) {
    const value = parsed.delivery?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !shape.test(value)) throw new PlatformError(`${file}: [delivery] ${key} is not ${example}`, 'see deploy.example.toml');
    delivery[name] = value;
  }
  const region = parsed.placement?.region;
  const placement = region === undefined || typeof region === 'string' ? placementFor(region) : null;
  if (!placement) {
    throw new PlatformError(
      `${file}: [placement] region ${JSON.stringify(region)} is not a cloud region this deploy knows`,
      `name the Supabase project's region as aws:<region>, one of ${Object.keys(awsRegionHints).map((r) => `aws:${r}`).join(', ')}; or leave it out for Smart Placement`,
    );
  }
  return { domains, delivery, placement };
}

/** Runs wrangler with its output shown, indented; resolves with the output, rejects when it fails (unless `tolerate` matches it). */
function runWrangler(args: string[], tolerate?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, ...args], { cwd: projectRoot, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const show = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '    '));
    };
    child.stdout.on('data', show);
    child.stderr.on('data', show);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 || tolerate?.test(output)
        ? resolve(output)
        : reject(new PlatformError(`wrangler ${args.slice(0, 3).join(' ')} failed (exit ${code})`, 'see its output above')),
    );
  });
}

/** The queues the delivery worker produces to and consumes, from its wrangler.toml. */
async function queuesOfDelivery(): Promise<string[]> {
  const config = parseToml(await readFile(workerConfigPath('delivery'), 'utf8')) as {
    queues?: { producers?: Array<{ queue: string }>; consumers?: Array<{ queue: string; dead_letter_queue?: string }> };
  };
  const names = [
    ...(config.queues?.producers ?? []).map((p) => p.queue),
    ...(config.queues?.consumers ?? []).flatMap((c) => [c.queue, ...(c.dead_letter_queue ? [c.dead_letter_queue] : [])]),
  ];
  return [...new Set(names)];
}

async function createQueues(dryRun: boolean): Promise<void> {
  for (const queue of await queuesOfDelivery()) {
    if (dryRun) {
      console.log(`  would create ${queue} unless it exists`);
      continue;
    }
    // A queue that exists already is what we want.
    await runWrangler(['queues', 'create', queue], /already (exists|taken)/i);
  }
}

async function deployDatabase(databaseUrl: string | undefined, dryRun: boolean): Promise<void> {
  const migrations = await listMigrations();
  if (!databaseUrl) {
    if (!dryRun) throw new PlatformError('no database to migrate', 'pass --database-url (the session pooler URL) or set DATABASE_URL, or --skip-database');
    console.log(`  no --database-url: would apply up to ${migrations.length} migrations (${migrations[0]!.version} … ${migrations.at(-1)!.version})`);
    return;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new PlatformError(`cannot connect to the database: ${(error as Error).message}`, 'check --database-url (Supabase: Connect > Session pooler)');
  }
  try {
    const roles = await client.query(`select 1 from pg_roles where rolname in ('authenticator', 'anon', 'authenticated')`);
    if (roles.rowCount !== 3) throw new PlatformError('the database has no Supabase roles (authenticator, anon, authenticated)', 'deploy to a Supabase project\'s database');
    const table = await client.query(`select to_regclass('supabase_migrations.schema_migrations') as t`);
    const done = table.rows[0].t
      ? new Set((await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map((r) => r.version))
      : new Set<string>();
    const pending = migrations.filter((migration) => !done.has(migration.version));
    console.log(pending.length === 0 ? '  the schema is up to date' : `  ${pending.length} to apply: ${pending.map((m) => m.name).join(', ')}`);
  } finally {
    await client.end();
  }
  if (dryRun) return;
  await migrate(databaseUrl, {
    prepareSupabaseRoles: false,
    authenticatorPassword: '',
    seed: false,
    resetRemedy: 'this database was built from other migrations; deploy to a new project or reconcile it with supabase db pull',
    onProgress: (message) => console.log(`  ${message}`),
  });
}

async function deployWorker(
  name: WorkerName,
  options: { dryRun: boolean; secretsFile?: string; domain?: string; vars?: Record<string, string>; outDir: string; config?: string },
): Promise<void> {
  const args = ['deploy', '--config', options.config ?? workerConfigPath(name)];
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push('--var', `${key}:${value}`);
  if (options.secretsFile) args.push('--secrets-file', options.secretsFile);
  if (options.domain) args.push('--domain', options.domain);
  if (options.dryRun) args.push('--dry-run', '--outdir', join(options.outDir, name));
  await runWrangler(args);
}

/**
 * Deletes from a deployed worker the platform's secrets it must not keep (secretsToRemove), those
 * it has: listed first, then deleted in one `wrangler secret bulk` with each set to null. The dry
 * run says which it would delete where present.
 */
async function removeSecrets(worker: ApiName | 'delivery', names: string[], dryRun: boolean, outDir: string): Promise<void> {
  if (dryRun) {
    console.log(`  ${worker}: would delete, where the deployed worker has them: ${names.join(', ')}`);
    return;
  }
  const config = workerConfigPath(worker);
  const { stdout } = await promisify(execFile)(process.execPath, [wrangler, 'secret', 'list', '--config', config, '--format', 'json'], {
    cwd: projectRoot,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const listed = (JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ name: string }>).map((secret) => secret.name);
  const present = names.filter((name) => listed.includes(name));
  if (present.length === 0) return;
  const file = join(outDir, `${worker}.delete.json`);
  await writeFile(file, JSON.stringify(Object.fromEntries(present.map((name) => [name, null]))), { mode: 0o600 });
  await runWrangler(['secret', 'bulk', file, '--config', config]);
  console.log(`  ${worker}: deleted ${present.join(', ')}`);
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: {
        'dry-run': { type: 'boolean' },
        secrets: { type: 'string' },
        settings: { type: 'string' },
        'database-url': { type: 'string' },
        'skip-database': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    console.error(`npm run deploy: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const dryRun = values['dry-run'] === true;
  const work = await mkdtemp(join(tmpdir(), 'deploy-'));
  try {
    console.log(`1/6 secrets and settings${dryRun ? ' (dry run: nothing is uploaded or changed)' : ''}`);
    const secrets = await readSecrets(values.secrets ?? join(projectRoot, '.secrets.env'), { dryRun, warn: (warning) => console.log(`  warning: ${warning}`) });
    const settings = await readSettings(values.settings);
    console.log(`  ${Object.keys(secrets).length} secrets; custom domains: ${Object.entries(settings.domains).map(([n, d]) => `${n} ${d}`).join(', ') || '(none: workers.dev only)'}`);
    const deliveryUnready = deliveryProblems(settings.delivery);
    if (deliveryUnready.length > 0 && !dryRun) throw new PlatformError(`the delivery worker's settings: ${deliveryUnready.join('; ')}`, 'name your mail domain and download links in deploy.toml (see deploy.example.toml)');
    for (const problem of deliveryUnready) console.log(`  warning: ${problem}: a real deployment refuses it`);

    console.log('2/6 database');
    if (values['skip-database']) console.log('  skipped (--skip-database)');
    else await deployDatabase(values['database-url'] ?? (process.env.DATABASE_URL || undefined), dryRun);

    console.log('3/6 queues');
    await createQueues(dryRun);

    // Each worker's own secrets only, in a file readable by this user alone, removed afterwards.
    const secretsFileOf = async (worker: ApiName | 'delivery') => {
      const own = Object.fromEntries(secretsOfWorker[worker].filter((name) => secrets[name]).map((name: SecretName) => [name, secrets[name]!]));
      const secretsFile = join(work, `${worker}.secrets.json`);
      await writeFile(secretsFile, JSON.stringify(own), { mode: 0o600 });
      return { secretsFile, count: Object.keys(own).length };
    };
    console.log('4/6 the five API workers');
    await buildDocsAssets();
    const { placement } = settings;
    const placed = 'region' in placement.config ? `placed in ${placement.config.region}, limiters near it (${placement.locationHint})` : 'Smart Placement';
    for (const api of apiNames) {
      const { secretsFile, count } = await secretsFileOf(api);
      console.log(`  ${api}: ${count} secrets, ${placed}${settings.domains[api] ? `, ${settings.domains[api]}` : ''}`);
      // A region is written into a copy of the worker's config beside it (its relative paths hold), removed after.
      const config = 'region' in placement.config ? join(dirname(workerConfigPath(api)), '.wrangler.deploy.toml') : undefined;
      if (config) await writeFile(config, withPlacement(await readFile(workerConfigPath(api), 'utf8'), placement.config));
      try {
        const vars = placement.locationHint ? { RATE_LIMIT_LOCATION_HINT: placement.locationHint } : undefined;
        await deployWorker(api, { dryRun, secretsFile, domain: settings.domains[api], vars, outDir: work, config });
      } finally {
        if (config) await rm(config, { force: true });
      }
      await removeSecrets(api, secretsToRemove(api, secrets), dryRun, work);
    }

    console.log('5/6 the delivery worker (emails and webhooks)');
    const delivery = await secretsFileOf('delivery');
    console.log(`  delivery: ${delivery.count} secrets`);
    await deployWorker('delivery', { dryRun, secretsFile: delivery.secretsFile, vars: settings.delivery, outDir: work });
    await removeSecrets('delivery', secretsToRemove('delivery', secrets), dryRun, work);

    console.log('6/6 the edge entry');
    await deployWorker('edge', { dryRun, domain: settings.domains.edge, outDir: work });
    console.log(
      dryRun
        ? 'dry run complete: everything builds and checks out; run without --dry-run to deploy'
        : `deployed; check it with npm run smoke -- --base https://${settings.domains.edge ?? '<the edge worker URL wrangler printed>'}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof PlatformError) {
      console.error(`npm run deploy: ${error.message}\n  → ${error.remedy}`);
      return 1;
    }
    if (error instanceof SecretsError) {
      console.error(`npm run deploy: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.main) process.exit(await main());
