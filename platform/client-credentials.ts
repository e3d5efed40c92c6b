/**
 * The credentials the client commands (`npm run smoke`, `npm run try`) call the APIs with: a JSON
 * file for a deployed edge, or a demo company's from the running platform's stack.json.
 */
import { readFile } from 'node:fs/promises';
import { readStackFile } from './stack/stack-file.ts';

export type ClientCredentials = Partial<{
  lumen: { apiKey: string };
  /** `leadIds` and `productIds` (optional) are what `npm run try` creates an operations purchase for. */
  operations: { apiKey: string; leadIds?: string[]; productIds?: string[] };
  /** `purchaseIds` (optional): the purchase `npm run try` reads and reactivates (else the list's first). */
  dpd: { username: string; password: string; purchaseIds?: number[] };
  kit: { token: string };
  groupcommerce: { consumerKey: string; consumerSecret: string };
}>;

export const credentialsFileHelp = `JSON with any of: {"lumen": {"apiKey"}, "operations": {"apiKey"},
                       "dpd": {"username", "password"}, "kit": {"token"},
                       "groupcommerce": {"consumerKey", "consumerSecret"}}`;

export class CredentialsError extends Error {}

/** A credentials file, read and checked to be a JSON object. */
export async function readCredentialsFile(path: string): Promise<ClientCredentials> {
  const text = await readFile(path, 'utf8').catch((error: Error) => {
    throw new CredentialsError(`cannot read ${path}: ${error.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialsError(`${path} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CredentialsError(`${path} must hold a JSON object`);
  return parsed as ClientCredentials;
}

/** A demo company's credentials and its local URLs, from the stack.json `npm start` wrote. */
export async function localDemo(company: string): Promise<{ credentials: ClientCredentials; edge: string; mailMessagesUrl: string }> {
  const stack = await readStackFile();
  if (!stack) throw new CredentialsError('no platform is running here (no .local/stack.json): start one with npm start, or give --base and --credentials');
  const demo = stack.demo[company];
  if (!demo) throw new CredentialsError(`no demo company ${company} (the seed has ${Object.keys(stack.demo).join(', ')})`);
  return { credentials: demo as ClientCredentials, edge: stack.apis.edge, mailMessagesUrl: stack.mail.messagesUrl };
}
