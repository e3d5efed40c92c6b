/**
 * The database raises reasons, never an API's words: every reason (a hint, or a field issue's
 * reason) a function in the migrations can raise is worded by the dialect of each API whose
 * functions raise it, and no migration words a field issue itself.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dpdWording } from '../../functions/dpd/errors.ts';
import { groupCommerceWording } from '../../functions/groupcommerce/errors.ts';
import { kitWording } from '../../functions/kit/errors.ts';
import { lumenWording } from '../../functions/lumen/errors.ts';
import { operationsWording } from '../../functions/operations/errors.ts';
import { listMigrations } from '../../platform/stack/migrate.ts';

const wordings = { operations: operationsWording, lumen: lumenWording, kit: kitWording, dpd: dpdWording, groupcommerce: groupCommerceWording };
type Api = keyof typeof wordings;

/** Which API a migration's functions serve, by the file's concern; the shared files serve all five. */
function apisOf(migration: string): Api[] {
  if (migration.startsWith('operations')) return ['operations'];
  if (migration.startsWith('lumen')) return ['lumen'];
  if (migration.startsWith('kit')) return ['kit'];
  if (migration.startsWith('dpd')) return ['dpd'];
  if (migration.startsWith('publisher')) return ['groupcommerce'];
  return Object.keys(wordings) as Api[];
}

/** Every function of the migrations with the reasons its body can raise. */
async function raisedReasons(): Promise<Array<{ name: string; apis: Api[]; reasons: string[]; wordsIssues: boolean }>> {
  const found = [];
  for (const migration of await listMigrations()) {
    const sql = await readFile(migration.path, 'utf8');
    for (const match of sql.matchAll(/create or replace function \w+\.(\w+)\([\s\S]*?\nas \$\$([\s\S]*?)\n\$\$;/g)) {
      const body = match[2]!;
      const reasons = new Set<string>();
      for (const hint of body.matchAll(/hint = '(\w+)'/g)) if (hint[1] !== 'field_issues') reasons.add(hint[1]!);
      // 'reason', 'x' or 'reason', case when ... then 'x' else 'y' end
      for (const issue of body.matchAll(/'reason',([^)]*?)(?:,\s*'(?:values|code)'|\))/g)) {
        for (const word of issue[1]!.matchAll(/'(\w+)'/g)) reasons.add(word[1]!);
      }
      found.push({ name: match[1]!, apis: apisOf(migration.name), reasons: [...reasons], wordsIssues: /'message',/.test(body) });
    }
  }
  return found;
}

describe('the database raises reasons, and each API words them', () => {
  it('finds the functions and their reasons', async () => {
    const functions = await raisedReasons();
    expect(functions.length).toBeGreaterThan(30);
    expect(functions.find((f) => f.name === 'gc_quote')?.reasons).toEqual(expect.arrayContaining(['unknown_offer', 'repeated_promo_code']));
    expect(functions.find((f) => f.name === 'require_caller')?.reasons).toEqual(['invalid_credential']);
  });

  it('words every reason in the dialect of each API whose functions raise it', async () => {
    const unworded: string[] = [];
    for (const fn of await raisedReasons()) {
      for (const api of fn.apis) {
        for (const reason of fn.reasons) if (!(reason in wordings[api])) unworded.push(`${api}: ${reason} (raised by ${fn.name})`);
      }
    }
    expect(unworded).toEqual([]);
  });

  it('leaves no field issue worded in SQL', async () => {
    expect((await raisedReasons()).filter((fn) => fn.wordsIssues).map((fn) => fn.name)).toEqual([]);
  });
});
