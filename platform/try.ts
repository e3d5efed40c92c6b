/**
 * `npm run try -- <api> [example]`: sends an API's reference examples to the running platform (or
 * a deployed edge), each printed as a curl command with the answer, then sends each write again to
 * show what a retry gets. The request bodies are the ones the API's own OpenAPI document carries,
 * read from the edge, so what is tried is what is documented.
 */
import { parseArgs } from 'node:util';
import { oauthHeader } from '../test/oauth-client.ts';
import { type ClientCredentials, CredentialsError, credentialsFileHelp, localDemo, readCredentialsFile } from './client-credentials.ts';
import { apiNames, type ApiName } from './stack/config.ts';

interface Target {
  /** The origin every vendor path is served on (the edge). */
  base: string;
  credentials: ClientCredentials;
  /** The local mail catcher's JSON list, to show the mail a request caused (local platform only). */
  mailMessagesUrl: string | null;
  /** A deployed edge: examples that write are sent only with --write. */
  remote: boolean;
  write: boolean;
  full: boolean;
  /** Made once per run, so an Idempotency-Key is new for each try and the same for its retry. */
  runId: string;
}

interface Outgoing {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Example {
  name: string;
  /** One line: what the example is. */
  title: string;
  /** Creates or changes something (a purchase, an order, a charge, an email). */
  writes: boolean;
  /**
   * Sends email, which names what this returns (a purchase or order number from the answer): the
   * try waits a few seconds for such a mail to reach the mail catcher, to show it.
   */
  mails?: (context: ExampleContext, answer: Answer) => string;
  /** The statuses that mean it worked as documented the first time (an earlier try may have recorded it already). */
  expect: number[];
  /** Builds the request; called again for the second send (the publisher API signs each anew). */
  request: (context: ExampleContext) => Outgoing;
  /** What the second send shows, for a write: the statuses expected and what they mean. */
  again?: { expect: number[]; says: string; mails?: boolean };
  /** Learns what the request needs (an id) when no earlier example of this run did. */
  prepare?: (context: ExampleContext) => Promise<void>;
  /** Said under the answer when the first send answered this status. */
  notes?: Record<number, string>;
}

interface ExampleContext {
  target: Target;
  /** The API's OpenAPI document as the edge serves it. */
  document: OpenApiDocument;
  /** What earlier examples of this run learned (an id to read). */
  learned: Record<string, string>;
}

type OpenApiDocument = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> } }>> };

const postJson = (path: string, headers: Record<string, string>, body: unknown): Outgoing => ({
  method: 'POST',
  path,
  headers: { ...headers, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

function requestExample(document: OpenApiDocument, path: string, type: string, name?: string): unknown {
  const content = document.paths[path]?.post?.requestBody?.content[type];
  const example = name ? content?.examples?.[name]?.value : content?.example;
  if (example === undefined) throw new TryError(`the API's document has no example ${name ?? ''} for POST ${path}: is the edge this version's?`);
  return structuredClone(example);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new TryError(`no ${what} in the credentials`);
  return value;
}

class TryError extends Error {}

function lumenExample(name: 'lumenFulfilled' | 'partnerFulfilled', title: string): Example {
  return {
    name,
    title,
    writes: true,
    expect: [201, 409],
    notes: { 409: 'An earlier try recorded this partnerPurchaseId already: the reference allows one purchase per id.' },
    request: ({ target, document }) =>
      postJson('/partners/v1/purchases', { 'X-Partner-Api-Key': need(target.credentials.lumen, 'lumen').apiKey }, requestExample(document, '/partners/v1/purchases', 'application/json', name)),
    again: { expect: [409], says: 'DUPLICATE_PURCHASE: one purchase per partnerPurchaseId and partner, nothing recorded twice' },
  };
}

const operationsPath = '/functions/v1/openapi-operations';
function operationsRequest(target: Target, body: Record<string, unknown>, extra: Record<string, string> = {}): Outgoing {
  return postJson(operationsPath, { 'X-Api-Key': need(target.credentials.operations, 'operations').apiKey, ...extra }, body);
}
const operationsLead = (target: Target) => target.credentials.operations?.leadIds?.[0];

const dpdAuth = (target: Target) => {
  const dpd = need(target.credentials.dpd, 'dpd');
  return { Authorization: `Basic ${Buffer.from(`${dpd.username}:${dpd.password}`).toString('base64')}` };
};
const dpdPurchase = ({ target, learned }: ExampleContext) => String(target.credentials.dpd?.purchaseIds?.[0] ?? learned.dpdPurchase ?? '0');

const learnDpdPurchase = (context: ExampleContext) =>
  context.target.credentials.dpd?.purchaseIds?.[0] !== undefined ? Promise.resolve() : learnFrom(context, 'dpd', 'list', { method: 'GET', path: '/v2/purchases?page=1', headers: dpdAuth(context.target) });

const kitAuth = (target: Target) => ({ Authorization: `Bearer ${need(target.credentials.kit, 'kit').token}` });

const publisherOrderPath = '/api/v3/publisher/order';
function signedForm(target: Target, path: string, form: Record<string, string>): Outgoing {
  const body = new URLSearchParams(form).toString();
  const url = `${target.base}${path}`;
  return { method: 'POST', path, headers: { Authorization: oauthHeader(need(target.credentials.groupcommerce, 'groupcommerce'), url, 'POST', body), 'Content-Type': 'application/x-www-form-urlencoded' }, body };
}
/** The reference's sample order as the document carries it, its card's expiry moved into the future. */
function sampleOrder(document: OpenApiDocument): Record<string, string> {
  const form = requestExample(document, publisherOrderPath, 'application/x-www-form-urlencoded') as Record<string, string>;
  return { ...form, 'BillingInfo.ExpirationYear': String(new Date().getUTCFullYear() + 2) };
}

/** Each API's examples, in the order they are sent. */
const examples: Record<ApiName, Example[]> = {
  lumen: [
    lumenExample('lumenFulfilled', "the reference's first example: Lumen ships, so the address is required"),
    lumenExample('partnerFulfilled', "the reference's second example: the partner ships, the customer is registered"),
  ],
  operations: [
    {
      name: 'create_purchase',
      title: "the reference's example, for a lead and product of yours, with an Idempotency-Key",
      writes: true,
      expect: [201],
      request: ({ target, document }) => {
        const example = requestExample(document, operationsPath, 'application/json') as Record<string, unknown>;
        const lead = operationsLead(target);
        const product = target.credentials.operations?.productIds?.[0];
        // The reference's ids are nobody's: without ids of the caller's own the answer is its 403.
        const body = { ...example, ...(lead ? { lead_id: lead } : {}), ...(product ? { product_id: product } : {}) };
        return operationsRequest(target, body, { 'Idempotency-Key': `try-${target.runId}` });
      },
      notes: { 403: 'The reference\'s lead and product are nobody\'s: give "leadIds" and "productIds" of your own under "operations" in the credentials file.' },
      again: { expect: [201], says: 'the same Idempotency-Key: the first answer again (Idempotent-Replayed: true), nothing created' },
    },
    {
      name: 'list_purchases',
      title: "the lead's purchases, newest first",
      writes: false,
      expect: [200],
      request: ({ target }) => operationsRequest(target, { action: 'list_purchases', lead_id: operationsLead(target) ?? '00000000-0000-4000-8000-000000000000', limit: 3 }),
    },
    {
      name: 'list_reward_events',
      title: "the rewards the lead's purchases earned",
      writes: false,
      expect: [200],
      request: ({ target }) => operationsRequest(target, { action: 'list_reward_events', lead_id: operationsLead(target) ?? '00000000-0000-4000-8000-000000000000', limit: 3 }),
    },
  ],
  dpd: [
    { name: 'status', title: 'the credentials checked', writes: false, expect: [200], request: ({ target }) => ({ method: 'GET', path: '/v2', headers: dpdAuth(target) }) },
    { name: 'list', title: 'purchases, newest first, 100 a page', writes: false, expect: [200], request: ({ target }) => ({ method: 'GET', path: '/v2/purchases?page=1', headers: dpdAuth(target) }) },
    { name: 'get', title: 'one purchase, every attribute', writes: false, expect: [200], prepare: learnDpdPurchase, request: (context) => ({ method: 'GET', path: `/v2/purchases/${dpdPurchase(context)}`, headers: dpdAuth(context.target) }) },
    {
      name: 'reactivate',
      title: 'the purchase active again, its downloads renewed, the delivery email sent to the buyer',
      writes: true,
      mails: (context) => `#${dpdPurchase(context)}`,
      expect: [200],
      prepare: learnDpdPurchase,
      request: (context) => ({ method: 'POST', path: `/v2/purchases/${dpdPurchase(context)}/reactivate`, headers: dpdAuth(context.target) }),
      again: { expect: [200], says: 'reactivated again: the downloads renewed once more and another delivery email sent', mails: true },
    },
  ],
  kit: [
    {
      name: 'create',
      title: "the reference's example purchase",
      writes: true,
      expect: [201, 200],
      notes: { 200: 'An earlier try recorded this transaction_id already: the purchase was updated, not made twice.' },
      request: ({ target, document }) => postJson('/v4/purchases', kitAuth(target), requestExample(document, '/v4/purchases', 'application/json')),
      again: { expect: [200], says: 'the transaction_id is known: the same purchase updated, no second one' },
    },
    { name: 'list', title: 'purchases, newest first, with the total count', writes: false, expect: [200], request: ({ target }) => ({ method: 'GET', path: '/v4/purchases?per_page=2&include_total_count=true', headers: kitAuth(target) }) },
    {
      name: 'get',
      title: 'one purchase with its subscriber',
      writes: false,
      expect: [200],
      prepare: (context) => learnFrom(context, 'kit', 'list', { method: 'GET', path: '/v4/purchases?per_page=1', headers: kitAuth(context.target) }),
      request: ({ target, learned }) => ({ method: 'GET', path: `/v4/purchases/${learned.kitPurchase ?? 0}`, headers: kitAuth(target) }),
    },
  ],
  groupcommerce: [
    {
      name: 'validate',
      title: "the reference's sample order checked and priced, nothing created",
      writes: false,
      expect: [200],
      request: ({ target, document }) => signedForm(target, `${publisherOrderPath}/validate`, sampleOrder(document)),
    },
    {
      name: 'order',
      title: "the reference's sample order placed: the card is charged",
      writes: true,
      mails: (_context, answer) => `#${(answer.body as { orderId?: unknown } | null)?.orderId}`,
      expect: [200, 409],
      notes: { 409: 'An earlier try placed the same order less than ten minutes ago: the duplicate rule refuses it.' },
      request: ({ target, document }) => signedForm(target, publisherOrderPath, sampleOrder(document)),
      again: { expect: [409], says: 'DuplicateOrder: the same consumer and items within ten minutes are not placed (AllowDuplicatePurchase=True would)' },
    },
    {
      name: 'creditcards',
      title: "a consumer's stored cards",
      writes: false,
      expect: [200],
      request: ({ target }) => {
        const path = '/api/v3/publisher/consumer/creditcards?UserKey=consumertest%40example.com';
        return { method: 'GET', path, headers: { Authorization: oauthHeader(need(target.credentials.groupcommerce, 'groupcommerce'), `${target.base}${path}`, 'GET', null) } };
      },
    },
  ],
};

/** What an answer teaches the examples after it (an id to read). */
function learn(api: ApiName, name: string, body: unknown, learned: Record<string, string>): void {
  if (api === 'dpd' && name === 'list' && Array.isArray(body) && body[0]?.id !== undefined) learned.dpdPurchase ??= String(body[0].id);
  const record = body as Record<string, any> | null;
  if (api === 'kit' && name === 'create' && record?.purchase?.id !== undefined) learned.kitPurchase = String(record.purchase.id);
  if (api === 'kit' && name === 'list' && record?.purchases?.[0]?.id !== undefined) learned.kitPurchase ??= String(record.purchases[0].id);
}

/** Sends a read, unprinted, for what the next example needs, unless an earlier example learned it. */
async function learnFrom(context: ExampleContext, api: ApiName, as: string, request: Outgoing): Promise<void> {
  if (Object.keys(context.learned).some((key) => key.startsWith(api))) return;
  learn(api, as, (await send(context.target, request)).body, context.learned);
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function curlOf(target: Target, request: Outgoing): string {
  const lines = [`curl -s${request.method === 'GET' ? '' : ` -X ${request.method}`} ${quote(`${target.base}${request.path}`)}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`-H ${quote(`${name}: ${value}`)}`);
  if (request.body !== undefined) lines.push(`--data-raw ${quote(request.body)}`);
  return lines.join(' \\\n    ');
}

const shownHeaders = ['idempotent-replayed', 'dpd-collection-count', 'retry-after', 'location'];

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

async function send(target: Target, request: Outgoing): Promise<Answer> {
  const res = await fetch(`${target.base}${request.path}`, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (an XML answer, say): shown as it came.
  }
  return { status: res.status, headers: res.headers, text, body };
}

function printAnswer(answer: Answer, full: boolean): void {
  const headers = shownHeaders.filter((name) => answer.headers.has(name)).map((name) => `${name}: ${answer.headers.get(name)}`);
  console.log(`← ${answer.status}${headers.length ? `  (${headers.join(', ')})` : ''}`);
  const lines = (answer.body === null ? answer.text : JSON.stringify(answer.body, null, 2)).split('\n');
  const shown = full ? lines : lines.slice(0, 30);
  console.log(shown.join('\n'));
  if (shown.length < lines.length) console.log(`… ${lines.length - shown.length} more lines (--full shows all)`);
}

/** The short form of an answer, for the second send: its status and its first error message, if any. */
function summary(answer: Answer): string {
  const record = answer.body as Record<string, any> | null;
  const message = record?.error?.message ?? record?.error ?? record?.errors?.[0]?.message ?? record?.errors?.[0] ?? record?.status;
  return `${answer.status}${typeof message === 'string' ? ` ${message}` : ''}`;
}

async function caughtMail(target: Target): Promise<Array<{ id: string; to: string[]; subject: string }>> {
  if (!target.mailMessagesUrl) return [];
  const res = await fetch(target.mailMessagesUrl, { signal: AbortSignal.timeout(5000) }).catch(() => null);
  return res?.ok ? ((await res.json()) as Array<{ id: string; to: string[]; subject: string }>) : [];
}

/**
 * The mail caught since `before`; given `awaited`, waits up to a few seconds for one whose subject
 * names it (the outbox relays mail after the answer).
 */
async function newMail(target: Target, before: Set<string>, awaited: string | null): Promise<Array<{ to: string[]; subject: string }>> {
  if (!target.mailMessagesUrl) return [];
  const deadline = Date.now() + (awaited ? 8000 : 0);
  for (;;) {
    const fresh = (await caughtMail(target)).filter((message) => !before.has(message.id));
    if (!awaited || fresh.some((message) => new RegExp(`${awaited}(?!\\d)`).test(message.subject)) || Date.now() > deadline) return fresh;
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function runExample(api: ApiName, example: Example, context: ExampleContext): Promise<boolean> {
  const { target } = context;
  console.log(`\n── ${api} · ${example.name}: ${example.title}`);
  if (example.writes && target.remote && !target.write) {
    console.log(`(not sent: it writes to ${target.base}; add --write to send it)`);
    return true;
  }
  await example.prepare?.(context);
  const mailBefore = new Set((await caughtMail(target)).map((message) => message.id));
  const request = example.request(context);
  console.log(curlOf(target, request));
  if (api === 'groupcommerce') {
    console.log('# The signature as sent: its oauth_nonce is single use (this curl sent again is a 401) and its timestamp good for 300 s. npm run try signs each request anew.');
  }
  const answer = await send(target, request);
  printAnswer(answer, target.full);
  learn(api, example.name, answer.body, context.learned);
  const note = example.notes?.[answer.status];
  if (note) console.log(note);
  let ok = example.expect.includes(answer.status);
  if (!ok) console.log(`✗ expected ${example.expect.join(' or ')}`);
  const awaited = example.mails?.(context, answer) ?? null;
  if (example.writes) for (const mail of await newMail(target, mailBefore, awaited)) console.log(`✉ mail to ${mail.to.join(', ')}: "${mail.subject}" (in the mail catcher)`);
  if (example.again) {
    const mailBeforeAgain = new Set((await caughtMail(target)).map((message) => message.id));
    const second = await send(target, example.request(context));
    const expected = example.again.expect.includes(second.status);
    const replayed = second.headers.get('idempotent-replayed');
    console.log(`Sent again: ← ${summary(second)}${replayed ? ` (Idempotent-Replayed: ${replayed})` : ''}`);
    console.log(expected ? `  ${example.again.says}` : `✗ expected ${example.again.expect.join(' or ')}`);
    for (const mail of await newMail(target, mailBeforeAgain, example.again.mails ? awaited : null)) console.log(`✉ mail to ${mail.to.join(', ')}: "${mail.subject}" (in the mail catcher)`);
    ok &&= expected;
  }
  return ok;
}

const help = `Usage: npm run try -- <api> [example] [options]

Sends the API's reference examples to the running platform (npm start), each printed as a curl
command with the answer, and sends every example that writes a second time to show what a retry
gets. The credentials are a demo company's, from the stack.json npm start wrote (in LOCAL_DIR,
default .local, as for npm start).

APIs and their examples (all of them unless one is named):
${apiNames.map((api) => `  ${api.padEnd(14)} ${examples[api].map((example) => `${example.name}${example.writes ? '*' : ''}`).join(', ')}`).join('\n')}
  (* writes: a purchase, an order and its charge, an email)

Options:
  --company SLUG       the demo company whose credentials are used (default acme; also globex)
  --base URL           a deployed edge instead (e.g. https://purchases.example.com); needs --credentials
  --credentials FILE   ${credentialsFileHelp}
                       (operations: "leadIds" and "productIds" of yours; dpd: "purchaseIds")
  --write              with --base: also send the examples that write
  --full               print whole answers (else the first 30 lines)
  --help               show this text

Exit status: 0 every answer as documented, 1 one was not, 2 wrong arguments.
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        company: { type: 'string' },
        base: { type: 'string' },
        credentials: { type: 'string' },
        write: { type: 'boolean' },
        full: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    console.error(`npm run try: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const [api, exampleName, ...rest] = positionals;
  if (!api || !(apiNames as readonly string[]).includes(api) || rest.length > 0) {
    console.error(`npm run try: name one API: ${apiNames.join(', ')}\n\n${help}`);
    return 2;
  }
  const chosen = examples[api as ApiName].filter((example) => !exampleName || example.name === exampleName);
  if (chosen.length === 0) {
    console.error(`npm run try: ${api} has no example ${exampleName}; its examples: ${examples[api as ApiName].map((example) => example.name).join(', ')}`);
    return 2;
  }
  if (values.base !== undefined && (!values.credentials || !/^https?:\/\/[^/]+\/?$/.test(values.base))) {
    console.error(`npm run try: --base must be an origin such as https://purchases.example.com, with --credentials FILE\n\n${help}`);
    return 2;
  }
  let target: Target;
  try {
    const runId = `${Date.now().toString(36)}-${process.pid}`;
    if (values.base) {
      const credentials = await readCredentialsFile(values.credentials!);
      target = { base: values.base.replace(/\/$/, ''), credentials, mailMessagesUrl: null, remote: true, write: values.write ?? false, full: values.full ?? false, runId };
    } else {
      const local = await localDemo(values.company ?? 'acme');
      target = { base: local.edge, credentials: local.credentials, mailMessagesUrl: local.mailMessagesUrl, remote: false, write: true, full: values.full ?? false, runId };
    }
    if (!target.credentials[api as ApiName]) throw new CredentialsError(`the credentials have nothing for ${api}`);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    console.error(`npm run try: ${error.message}`);
    return 1;
  }
  const documentUrl = `${target.base}/${api}/openapi.json`;
  const document = await fetch(documentUrl, { signal: AbortSignal.timeout(15_000) })
    .then((res) => (res.ok ? (res.json() as Promise<OpenApiDocument>) : null))
    .catch(() => null);
  if (!document) {
    console.error(`npm run try: no OpenAPI document at ${documentUrl}${target.remote ? '' : ': is npm start running?'}`);
    return 1;
  }
  console.log(`${api} at ${target.base} (examples from ${documentUrl})`);
  const context: ExampleContext = { target, document, learned: {} };
  let failed = 0;
  for (const example of chosen) {
    try {
      if (!(await runExample(api as ApiName, example, context))) failed++;
    } catch (error) {
      failed++;
      console.log(`✗ ${error instanceof TryError ? error.message : `no answer: ${(error as Error).message}`}`);
    }
  }
  console.log(failed === 0 ? `\ntry: every answer as documented` : `\ntry: ${failed} example(s) answered otherwise`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) process.exit(await main());
