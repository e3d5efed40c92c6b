/** Companies: the tenants every credential and purchase belongs to. */
import { CommandError, UsageError } from '../context.ts';
import type { AdminCommand } from './types.ts';

const slugPattern = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const companyCreate: AdminCommand = {
  summary: 'create a company (a tenant)',
  usage: `admin company create --slug SLUG --name NAME

  --slug SLUG   short unique name: lower-case letters, digits and dashes (2-63)
  --name NAME   display name`,
  options: { slug: { type: 'string' }, name: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const slug = values.slug;
    const name = values.name;
    if (typeof slug !== 'string' || !slugPattern.test(slug)) {
      throw new UsageError('--slug is required: 2-63 lower-case letters, digits and dashes, starting with a letter or digit');
    }
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) {
      throw new UsageError('--name is required (1-200 characters)');
    }
    const result = await ctx.db
      .query<{ id: string; created_at: Date }>(
        'insert into ledger.companies (slug, name) values ($1, $2) returning id, created_at',
        [slug, name.trim()],
      )
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw new CommandError(`a company with slug ${slug} already exists`);
        throw error;
      });
    const row = result.rows[0]!;
    ctx.print(`created company ${slug} (${row.id})`, { id: row.id, slug, name: name.trim(), createdAt: row.created_at });
  },
};

export const companyList: AdminCommand = {
  summary: 'list companies',
  usage: 'admin company list',
  options: {},
  positionals: 0,
  async run(ctx) {
    const { rows } = await ctx.db.query<{ id: string; slug: string; name: string; created_at: Date }>(
      'select id, slug, name, created_at from ledger.companies order by slug',
    );
    const human = rows.length === 0 ? 'no companies' : rows.map((r) => `${r.slug.padEnd(20)} ${r.id}  ${r.name}`).join('\n');
    ctx.print(human, rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, createdAt: r.created_at })));
  },
};

/** The id of the company with this slug, or a CommandError naming it. */
export async function companyIdOf(ctx: { db: import('pg').Client }, slug: unknown): Promise<string> {
  if (typeof slug !== 'string' || slug === '') throw new UsageError('--company SLUG is required');
  const { rows } = await ctx.db.query<{ id: string }>('select id from ledger.companies where slug = $1', [slug]);
  if (!rows[0]) throw new CommandError(`no company with slug ${slug} (see: admin company list)`);
  return rows[0].id;
}
