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
  oauthConsumerSecretKey: string;
  /** Base64 AES-256 key for sealing webhook signing secrets (the delivery worker's WEBHOOK_SECRET_KEY). */
  webhookSecretKey: string;
  /**
   * Whether this is local development: the database is on this machine. Webhook endpoints may then
   * be plain http to this machine.
   */
  localDevelopment: boolean;
  json: boolean;
  /** Prints `data` as JSON with --json, otherwise the human text. */
  print(human: string, data: unknown): void;
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

function isOnThisMachine(databaseUrl: string): boolean {
  try {
    const host = new URL(databaseUrl).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '';
  } catch {
    return false;
  }
}

export async function openContext(options: { databaseUrl?: string; json: boolean }): Promise<CommandContext> {
  const databaseUrl = await resolveDatabaseUrl(options.databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    await db.connect();
  } catch (error) {
    throw new CommandError(`cannot connect to the database: ${(error as Error).message}`);
  }
  return {
    db,
    oauthConsumerSecretKey: process.env.OAUTH_CONSUMER_SECRET_KEY || localDefaults.oauthConsumerSecretKey,
    webhookSecretKey: process.env.WEBHOOK_SECRET_KEY || localDefaults.webhookSecretKey,
    localDevelopment: isOnThisMachine(databaseUrl),
    json: options.json,
    print(human, data) {
      console.log(options.json ? JSON.stringify(data, null, 2) : human);
    },
  };
}
