/** Database access for the workers: the typed PostgREST client of supabase-js, RPC calls and their error mapping. */
export * from './client.ts';
export * from './rpc.ts';
export type { Database, Json } from './database.types.ts';
