/**
 * `npm run smoke -- --base <url>`: checks a deployed (or local) edge as a client would: the edge's
 * deep health, then for each API its health with the database, its OpenAPI document, and, given
 * credentials, one authenticated request that writes nothing. Exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { oauthHeader } from '../test/oauth-client.ts';
import { type ClientCredentials as Credentials, CredentialsError, credentialsFileHelp, localDemo, readCredentialsFile } from './client-credentials.ts';
import { apiNames, type ApiName } from './stack/config.ts';

const help = `Usage: npm run smoke -- --base URL [--credentials FILE | --local-demo]

Checks the edge at URL (e.g. https://purchases.example.com, or npm start's apis.edge):
  - GET /health?deep=1 (every worker and the database)
  - for each API: GET /<api>/health?deep=1 and GET /<api>/openapi.json (an OpenAPI 3.1 document)
  - with credentials: one authenticated request per API that writes nothing (a list, a lookup of
    an id that does not exist, or a body refused after the credential is accepted)

Options:
  --base URL           the edge's origin (required)
  --credentials FILE   ${credentialsFileHelp}
  --local-demo         use acme's demo credentials from npm start's stack.json
  --timeout MS         per request (default 10000)
  --help               show this text

Exit status: 0 every check passed, 1 one failed, 2 wrong arguments.
`;

interface Check {
  name: string;
  run: () => Promise<string | null>;
}

/** The one request per API that proves its credential works and changes nothing. */
function authenticatedRead(api: ApiName, base: string, credentials: Credentials): Check | null {
  const expect = async (res: Response, accepted: number[]): Promise<string | null> => {
    const body = await res.text();
    return accepted.includes(res.status) ? null : `answered ${res.status}: ${body.slice(0, 200)}`;
  };
  switch (api) {
    case 'lumen': {
      const key = credentials.lumen?.apiKey;
      if (!key) return null;
      // Lumen has no read: an empty purchase is refused (400) only once the key is accepted.
      return {
        name: 'lumen: the key is accepted (an empty purchase is refused, nothing recorded)',
        run: async () =>
          expect(await fetch(`${base}/partners/v1/purchases`, { method: 'POST', headers: { 'X-Partner-Api-Key': key, 'Content-Type': 'application/json' }, body: '{}' }), [400]),
      };
    }
    case 'operations': {
      const key = credentials.operations?.apiKey;
      if (!key) return null;
      return {
        name: 'operations: get_purchase of an unknown id (the key is accepted)',
        run: async () =>
          expect(
            await fetch(`${base}/functions/v1/openapi-operations`, {
              method: 'POST',
              headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
              body: JSON.stringify({ action: 'get_purchase', purchase_id: '00000000-0000-4000-8000-000000000000' }),
            }),
            [200, 404],
          ),
      };
    }
    case 'dpd': {
      const dpd = credentials.dpd;
      if (!dpd) return null;
      return {
        name: 'dpd: GET /v2/purchases',
        run: async () => expect(await fetch(`${base}/v2/purchases?page=1`, { headers: { Authorization: `Basic ${btoa(`${dpd.username}:${dpd.password}`)}` } }), [200]),
      };
    }
    case 'kit': {
      const token = credentials.kit?.token;
      if (!token) return null;
      return { name: 'kit: GET /v4/purchases', run: async () => expect(await fetch(`${base}/v4/purchases`, { headers: { Authorization: `Bearer ${token}` } }), [200]) };
    }
    case 'groupcommerce': {
      const consumer = credentials.groupcommerce;
      if (!consumer) return null;
      return {
        name: 'groupcommerce: GET consumer/creditcards, signed for this origin',
        run: async () => {
          const url = `${base}/api/v3/publisher/consumer/creditcards?UserKey=smoke-check`;
          return expect(await fetch(url, { headers: { Authorization: oauthHeader(consumer, url, 'GET', null) } }), [200, 404]);
        },
      };
    }
  }
}

function checksFor(base: string, credentials: Credentials): Check[] {
  const json = async (path: string, test: (body: Record<string, unknown>) => string | null): Promise<string | null> => {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    if (!res.ok) return `answered ${res.status}: ${text.slice(0, 200)}`;
    try {
      return test(JSON.parse(text) as Record<string, unknown>);
    } catch {
      return 'did not answer JSON';
    }
  };
  const checks: Check[] = [{ name: 'edge: GET /health?deep=1', run: () => json('/health?deep=1', (b) => (b.status === 'ok' ? null : JSON.stringify(b))) }];
  for (const api of apiNames) {
    checks.push({ name: `${api}: GET /${api}/health?deep=1`, run: () => json(`/${api}/health?deep=1`, (b) => (b.database === 'ok' ? null : JSON.stringify(b))) });
    checks.push({
      name: `${api}: GET /${api}/openapi.json`,
      run: () => json(`/${api}/openapi.json`, (b) => (typeof b.openapi === 'string' && b.openapi.startsWith('3.1') ? null : `not an OpenAPI 3.1 document`)),
    });
    const read = authenticatedRead(api, base, credentials);
    if (read) checks.push(read);
  }
  return checks;
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: { base: { type: 'string' }, credentials: { type: 'string' }, 'local-demo': { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean' } },
    }).values;
  } catch (error) {
    console.error(`npm run smoke: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (!values.base || !/^https?:\/\/[^/]+\/?$/.test(values.base)) {
    console.error(`npm run smoke: --base must be an origin such as https://purchases.example.com\n\n${help}`);
    return 2;
  }
  const base = values.base.replace(/\/$/, '');
  let credentials: Credentials = {};
  try {
    if (values.credentials) credentials = await readCredentialsFile(values.credentials);
    else if (values['local-demo']) credentials = (await localDemo('acme')).credentials;
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    console.error(`npm run smoke: ${error.message}`);
    return 1;
  }
  const timeout = Number(values.timeout ?? 10_000);
  let failed = 0;
  for (const check of checksFor(base, credentials)) {
    const problem = await Promise.race([
      check.run().catch((error: Error) => `failed: ${error.message}`),
      new Promise<string>((done) => setTimeout(() => done(`no answer in ${timeout} ms`), timeout).unref()),
    ]);
    if (problem) failed++;
    console.log(`${problem ? '✗' : '✓'} ${check.name}${problem ? `: ${problem}` : ''}`);
  }
  const skipped = apiNames.filter((api) => !credentials[api]);
  if (skipped.length > 0) console.log(`(no credentials for ${skipped.join(', ')}: authenticated checks skipped)`);
  console.log(failed === 0 ? 'smoke: every check passed' : `smoke: ${failed} check(s) failed`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) process.exit(await main());
