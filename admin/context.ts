/** What every admin command gets: a database connection, the sealing key, and output in text or JSON. */
import pg from 'pg';
import { localDefaults } from '../platform/stack/config.ts';
import { readStackFile, stackFilePath } from '../platform/stack/stack-file.ts';

/** A mistake in how the command was called: printed with its usage, exit code 2. */
export class UsageError extends Error {}

/** A refusal or failure a person can act on: printed as is, exit code 1. */
export class CommandError extends Error {}

export interface CommandContext {
  db: pg.Client;
  /** Base64 AES-256 key for sealing OAuth consumer secrets. */
  readonly oauthConsumerSecretKey: string;
  /** Base64 AES-256 key for sealing webhook signing secrets (the delivery worker's WEBHOOK_SECRET_KEY). */
  readonly webhookSecretKey: string;
  /** Base64 key of the tags on issued credentials (the API workers' CREDENTIAL_TAG_KEY). */
  readonly credentialTagKey: string;
  /**
   * Whether this is local development: the database of the platform npm start runs (named by
   * LOCAL_DIR/stack.json), or --local. Only then are the public local keys used when a key's
   * variable is unset, and may webhook endpoints be plain http to this machine.
   */
  localDevelopment: boolean;
  json: boolean;
  /** Prints `data` as JSON with --json, otherwise the human text. */
  print(human: string, data: unknown): void;
  /** Prints a list: one line a row (`empty` for none), or with --json `data` (the rows themselves unless given). */
  printList<Row>(rows: Row[], empty: string, line: (row: Row) => string, data?: unknown): void;
}

/** DATABASE_URL, else the running local platform's database (LOCAL_DIR/stack.json). */
export async function resolveDatabaseUrl(explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const stack = await readStackFile();
  if (!stack) {
    throw new CommandError(`no database: start the platform with npm start, or set DATABASE_URL (looked for ${stackFilePath()})`);
  }
  return stack.databaseUrl;
}

/** Host, port and database name: what makes two connection strings one database. */
function databaseIdentity(databaseUrl: string): string | null {
  try {
    const url = new URL(databaseUrl);
    const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
    return `${host}:${url.port || '5432'}${url.pathname || '/postgres'}`;
  } catch {
    return null;
  }
}

/**
 * Whether `databaseUrl` is the database of the platform npm start runs here (its stack.json names
 * it). A host name alone proves nothing: a tunnel to production also answers on localhost.
 */
export async function isLocalPlatformDatabase(databaseUrl: string): Promise<boolean> {
  const stack = await readStackFile();
  const own = stack ? databaseIdentity(stack.databaseUrl) : null;
  return own !== null && own === databaseIdentity(databaseUrl);
}

/** The key in `variable`, else (in local development only) the public local default. */
function keyOf(variable: string, localDefault: string, local: boolean): string {
  const value = process.env[variable];
  if (value) {
    if (!local && value === localDefault) {
      throw new CommandError(`${variable} holds the public local default (it is in this repository) and this is not the local platform's database: set the deployment's own key`);
    }
    return value;
  }
  if (local) return localDefault;
  throw new CommandError(`${variable} is not set and this is not the local platform's database: set it to the deployment's key (npm run keys wrote it to the secrets file), or pass --local for a database of your own on this machine`);
}

export async function openContext(options: { databaseUrl?: string; json: boolean; local?: boolean }): Promise<CommandContext> {
  const databaseUrl = await resolveDatabaseUrl(options.databaseUrl);
  const local = options.local === true || (await isLocalPlatformDatabase(databaseUrl));
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await db.connect();
  } catch (error) {
    throw new CommandError(`cannot connect to the database: ${(error as Error).message}`);
  }
  const print = (human: string, data: unknown) => console.log(options.json ? JSON.stringify(data, null, 2) : human);
  // Read when a command needs them, so commands that seal nothing need no key.
  return {
    db,
    get oauthConsumerSecretKey() {
      return keyOf('OAUTH_CONSUMER_SECRET_KEY', localDefaults.oauthConsumerSecretKey, local);
    },
    get webhookSecretKey() {
      return keyOf('WEBHOOK_SECRET_KEY', localDefaults.webhookSecretKey, local);
    },
    get credentialTagKey() {
      return keyOf('CREDENTIAL_TAG_KEY', localDefaults.credentialTagKey, local);
    },
    localDevelopment: local,
    json: options.json,
    print,
    printList(rows, empty, line, data = rows) {
      print(rows.length === 0 ? empty : rows.map(line).join('\n'), data);
    },
  };
}
