/** Verifying a presented credential against the database and learning the calling company. */
import type { Context } from 'hono';
import * as z from 'zod/mini';
import type { PresentedCredential } from '../auth/credentials.ts';
import { connectDatabase, type Db } from '../db/client.ts';
import { callTypedRpc, defineRpc } from '../db/rpc.ts';
import { readDatabaseSettings, type DatabaseSettings, type WorkerEnv } from '../env/index.ts';
import { ApiError, unavailable } from '../errors/index.ts';
import type { WorkerAppEnv } from './context.ts';
import { nudgeRelay } from './outbox.ts';

/** Whose credential the request's token carries: one row, or the API's 401 (invalid_credential). */
const authenticateRpc = defineRpc(
  'authenticate',
  z.tuple([z.object({ company_id: z.string(), company_slug: z.string() })]),
);

export interface Caller {
  companyId: string;
  companySlug: string;
}

let warnedOfPublicSecrets = false;

/** The database settings from the bindings; a misconfigured worker answers 503 and says why in its log. */
export function databaseSettings<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>): DatabaseSettings {
  const settings = readDatabaseSettings(c.env ?? {});
  if ('missing' in settings) {
    c.get('log').log('error', 'worker is missing bindings', { missing: settings.missing });
    throw unavailable();
  }
  if ('publicSecrets' in settings) {
    // Once per isolate: every request is refused the same way, one line says why.
    if (!warnedOfPublicSecrets) {
      warnedOfPublicSecrets = true;
      c.get('log').log('error', 'refusing to serve: secrets hold the public local defaults; set your own with wrangler secret put', {
        variables: settings.publicSecrets,
      });
    }
    throw unavailable();
  }
  return settings;
}

/** A database client for this request, acting for `credential` (or for nobody): its calls carry the request's id and nudge the relay when they write mail or webhooks. */
export function connectForRequest<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, credential: PresentedCredential | null): Promise<Db> {
  return connectDatabase(databaseSettings(c), credential, {
    requestId: c.get('requestId'),
    onOutbox: (held) => {
      if (held) {
        c.get('log').log('error', "mail held: the company is over its hourly mail quota; it is sent once an operator runs admin outbox release", {});
      }
      nudgeRelay(c);
    },
  });
}

/**
 * One round trip: asks the database whose credential this is. When it is unknown or revoked,
 * throws ApiError `unauthenticated` with reason `invalid_credential`, which the API's dialect words.
 */
export async function authenticateCaller<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, credential: PresentedCredential): Promise<{ db: Db; caller: Caller }> {
  const db = await connectForRequest(c, credential);
  const [row] = await callTypedRpc(db, authenticateRpc, {});
  return { db, caller: { companyId: row.company_id, companySlug: row.company_slug } };
}

/**
 * The credential step of an API whose RPCs check the credential as they work: the handler's client
 * will act for `credential`, and a request refused before any RPC runs has it checked first, so a
 * wrong credential is the API's 401 whatever else the request gets wrong.
 */
export function presentCredential<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>, credential: PresentedCredential): void {
  c.set('credential', credential);
  c.set('confirmCredential', () => authenticateCaller(c, credential));
}

/** A database client acting for the credential the request presented (see presentCredential). */
export function callerDatabase<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>): Promise<Db> {
  const credential = c.get('credential');
  if (!credential) throw new ApiError('internal', 'The route has no credential step.');
  return connectForRequest(c, credential);
}

/** Throws the API's 401 for a request that presented no credential (`reason`, which its dialect words). */
export function missingCredential(reason = 'missing_credential'): never {
  throw new ApiError('unauthenticated', 'No credential was presented.', { reason });
}

/**
 * Whether the database answers (GET /health?deep=1): an RPC that runs a query and refuses an
 * anonymous caller, so its 401 proves PostgREST and Postgres both worked. Throws 503 otherwise.
 */
export async function checkDatabase<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>): Promise<void> {
  try {
    await callTypedRpc(await connectForRequest(c, null), authenticateRpc, {});
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'unauthenticated') return;
    throw error instanceof ApiError ? error : unavailable(error);
  }
}

/** How long a deep health check's answer is reused by the isolate that made it. */
export const deepCheckReuseMs = 5_000;
let lastDeepCheck: { at: number; error?: unknown } | undefined;
let deepCheckRunning = false;

/**
 * {@link checkDatabase} for a deep health check, reused for the next few seconds and by checks
 * that arrive while one is running: anyone may ask, and a probe must not become a load. Only the
 * settled outcome is shared: Workers may not await another request's I/O.
 */
export async function checkDatabaseReused<B extends WorkerEnv>(c: Context<WorkerAppEnv<B>>): Promise<void> {
  const now = Date.now();
  const reusable = lastDeepCheck && (deepCheckRunning || now - lastDeepCheck.at < deepCheckReuseMs);
  if (!reusable) {
    deepCheckRunning = true;
    try {
      await checkDatabase(c);
      lastDeepCheck = { at: now };
    } catch (error) {
      lastDeepCheck = { at: now, error };
    } finally {
      deepCheckRunning = false;
    }
  }
  if (lastDeepCheck?.error !== undefined) throw lastDeepCheck.error;
}
