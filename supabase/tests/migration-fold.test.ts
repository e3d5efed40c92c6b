/**
 * The migrations were folded by concern twice: into one file per concern (the commit that added
 * 20261202000400_purchases_ledger.sql), and into the baseline every later change builds on (the
 * commit that removed 20261207000100_abuse_limits.sql: no object created twice, every file in
 * dependency order). This proves each fold: a database built from the files before it and one
 * built from the files it wrote have the same schema, line for line of their catalog descriptions
 * (platform/stack/schema-description.ts), apart from what the fold meant to change, listed here.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareMigrations, type MigrationSource } from '../../platform/stack/schema-compare.ts';
import { stack } from '../../test/helpers.ts';

interface Fold {
  name: string;
  /** A file the fold added (A) or removed (D): its commit is the fold's. */
  marker: { filter: 'A' | 'D'; path: string };
  /** What the fold changed on purpose. */
  intendedDifferences: string[];
}

const folds: Fold[] = [
  { name: 'one file per concern', marker: { filter: 'A', path: 'supabase/migrations/20261202000400_purchases_ledger.sql' }, intendedDifferences: [] },
  { name: 'the baseline', marker: { filter: 'D', path: 'supabase/migrations/20261207000100_abuse_limits.sql' }, intendedDifferences: [] },
];

/** The fold's commit, or none while it is not committed yet (then the working tree is the fold). */
function foldCommit({ filter, path }: Fold['marker']): string | undefined {
  const log = execFileSync('git', ['log', `--diff-filter=${filter}`, '--format=%H', '--', path], { encoding: 'utf8' });
  return log.trim().split('\n').filter(Boolean).at(-1);
}

describe('the folded migrations', () => {
  for (const fold of folds) {
    it(`${fold.name}: build the schema the migrations before them built`, async () => {
      const commit = foldCommit(fold.marker);
      const before: MigrationSource = { revision: commit ? `${commit}^` : 'HEAD' };
      const after: MigrationSource = commit ? { revision: commit } : 'worktree';
      const { lines, differences } = await compareMigrations(stack().databaseUrl, before, after);
      expect(lines).toBeGreaterThan(500);
      expect(differences).toEqual(fold.intendedDifferences);
    });
  }
});
