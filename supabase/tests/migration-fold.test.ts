/**
 * The migrations were folded into one file per concern (the commit that added
 * 20261202000400_purchases_ledger.sql). This proves the fold: a database built from the files
 * before it and one built from the files it wrote have the same schema, line for line of their
 * catalog descriptions (platform/stack/schema-description.ts), apart from what the fold meant to
 * change, listed here.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareMigrations, type MigrationSource } from '../../platform/stack/schema-compare.ts';
import { stack } from '../../test/helpers.ts';

/** What the fold changed on purpose. */
const intendedDifferences: string[] = [];

/** The fold's commit, or none while it is not committed yet (then the working tree is the fold). */
function foldCommit(): string | undefined {
  const log = execFileSync('git', ['log', '--diff-filter=A', '--format=%H', '--', 'supabase/migrations/20261202000400_purchases_ledger.sql'], { encoding: 'utf8' });
  return log.trim().split('\n').filter(Boolean).at(-1);
}

describe('the folded migrations', () => {
  it('build the schema the migrations before them built', async () => {
    const fold = foldCommit();
    const before: MigrationSource = { revision: fold ? `${fold}^` : 'HEAD' };
    const after: MigrationSource = fold ? { revision: fold } : 'worktree';
    const { lines, differences } = await compareMigrations(stack().databaseUrl, before, after);
    expect(lines).toBeGreaterThan(500);
    expect(differences).toEqual(intendedDifferences);
  });
});
