/**
 * `npm run build:docs`: the API reference pages' static files (Swagger UI, from the swagger-ui-dist
 * package) copied to dist/docs-assets/docs/, the folder every worker's wrangler.toml names under
 * [assets]. `npm start` runs it too; run it before `wrangler deploy`.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const docsAssetsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'docs-assets');
const files = ['swagger-ui-bundle.js', 'swagger-ui.css'];

export async function buildDocsAssets(): Promise<string> {
  const source = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const target = join(docsAssetsDir, 'docs');
  await mkdir(target, { recursive: true });
  for (const file of files) await copyFile(join(source, file), join(target, file));
  return docsAssetsDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--help')) {
    process.stdout.write('Usage: npm run build:docs\n\nCopies the API reference page\'s files (Swagger UI) to dist/docs-assets/docs/, for npm start and wrangler deploy.\n');
  } else {
    process.stdout.write(`API reference assets in ${await buildDocsAssets()}\n`);
  }
}
