/** Database access for the workers: the typed PostgREST client of supabase-js, RPC calls and their error mapping. */
export * from './client.ts';
export * from './rpc.ts';
export type { Database } from './database.types.ts';
