/** shared/db/database.types.ts is what Supabase's generator makes of the live schema: it cannot drift. */
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { databaseTypesPath, generateDatabaseTypes } from '../platform/db-types.ts';
import { stack } from './helpers.ts';

it('matches the schema the migrations build (run npm run db:types after changing one)', async () => {
  expect(await readFile(databaseTypesPath, 'utf8')).toBe(await generateDatabaseTypes(stack().databaseUrl));
});
