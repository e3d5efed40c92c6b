/**
 * Every RPC's answer is checked against its schema at the boundary (shared/db/rpc.ts): an answer of
 * another shape is a 503 with the mismatch logged, never a silently wrong answer on the wire.
 */
import { expect, inject, it } from 'vitest';
import * as z from 'zod/mini';
import { connectDatabase } from '../shared/db/client.ts';
import { callTypedRpc, defineRpc, RpcResultMismatch } from '../shared/db/rpc.ts';
import { getPurchaseRpc } from '../functions/kit/rpcs.ts';
import { ApiError } from '../shared/errors/index.ts';
import { demo, stack } from './helpers.ts';

const kitDatabase = () =>
  connectDatabase(
    { url: stack().supabase.url, anonKey: stack().supabase.anonKey, signingKey: inject('jwtSecret'), timeoutMs: 5_000 },
    { kind: 'kit_token', secret: demo('acme').kit.token },
  );

it('passes an answer that has the schema\'s shape, as the schema types it', async () => {
  const db = await kitDatabase();
  const [first] = (await callTypedRpc(db, defineRpc('kit_list_purchases', z.object({ purchases: z.array(z.object({ number: z.number() })) })), { page_size: 1 })).purchases;
  const { purchase } = await callTypedRpc(db, getPurchaseRpc, { purchase_number: first!.number });
  expect(purchase.number).toBe(first!.number);
  expect(Array.isArray(purchase.lines)).toBe(true);
});

it('answers 503 (unavailable) for an answer outside the schema, naming where it differs', async () => {
  const db = await kitDatabase();
  const wrong = defineRpc('kit_list_purchases', z.object({ purchases: z.array(z.object({ number: z.string() })) }));
  const error = await callTypedRpc(db, wrong, { page_size: 1 }).catch((thrown: unknown) => thrown);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).kind).toBe('unavailable');
  expect((error as ApiError).status).toBe(503);
  const cause = (error as ApiError).cause;
  expect(cause).toBeInstanceOf(RpcResultMismatch);
  expect((cause as Error).message).toMatch(/^kit_list_purchases answered outside its schema \(1 issues\): purchases\.0\.number: /);
});
