/**
 * `npm run openapi [-- --check]`: each API's OpenAPI document, generated from the zod schemas that
 * check its requests (functions/<api>/openapi.ts), into `functions/<api>/openapi.generated.json`,
 * which the worker serves at /openapi.json as it is. Generated here rather than in the worker: the
 * JSON Schema generator and the document's code weigh more in every bundle (about 12 KB gzip in
 * the publisher worker's) than the document itself, and a worker then starts with less to load.
 * `--check` (run by npm test) fails when a file is not what the schemas give.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiNames, type ApiName } from '../shared/apis.ts';

const projectRoot = new URL('../', import.meta.url).pathname;

/**
 * Each API's document function, by the name functions/<api>/openapi.ts exports it under. Loaded by
 * path: those modules are the workers' (type-checked against the Workers runtime, not Node's).
 */
export const openApiDocuments: Record<ApiName, string> = {
  lumen: 'lumenOpenApi',
  operations: 'operationsOpenApi',
  dpd: 'dpdOpenApi',
  kit: 'kitOpenApi',
  groupcommerce: 'groupCommerceOpenApi',
};

async function generate(api: ApiName): Promise<unknown> {
  const module = (await import(join(projectRoot, 'functions', api, 'openapi.ts'))) as Record<string, () => unknown>;
  return module[openApiDocuments[api]]!();
}

export const documentPath = (api: ApiName) => join(projectRoot, 'functions', api, 'openapi.generated.json');

const help = `Usage: npm run openapi [-- --check]

Writes functions/<api>/openapi.generated.json for the five APIs from their schemas
(functions/<api>/openapi.ts): the document each worker serves at /openapi.json. Run it after
changing a request schema, a route or an example.

Options:
  --check   change nothing; exit 1 when a file is stale (npm test runs this)
  --help    show this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(help);
    return;
  }
  const stale: string[] = [];
  for (const api of apiNames) {
    const text = `${JSON.stringify(await generate(api), null, 2)}\n`;
    const path = documentPath(api);
    const current = await readFile(path, 'utf8').catch(() => null);
    if (current === text) continue;
    if (values.check) stale.push(`functions/${api}/openapi.generated.json`);
    else {
      await writeFile(path, text);
      console.log(`wrote functions/${api}/openapi.generated.json`);
    }
  }
  if (stale.length > 0) {
    console.error(`npm run openapi: ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} not what the schemas give; run npm run openapi`);
    process.exit(1);
  }
  if (values.check) console.log('npm run openapi: the 5 APIs\' documents match their schemas');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
