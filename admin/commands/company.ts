/** Companies: the tenants every credential and purchase belongs to. */
import type pg from 'pg';
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
    ctx.printList(rows, 'no companies', (r) => `${r.slug.padEnd(20)} ${r.id}  ${r.name}`, rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, createdAt: r.created_at })));
  },
};

const emailPattern = /^[^@\s<>"]+@[^@\s<>"]+$/;

export const companySet: AdminCommand = {
  summary: "set a company's mail sender, contact address and hourly mail quota",
  usage: `admin company set --slug SLUG [--email-from ADDRESS] [--contact-email ADDRESS] [--mail-quota N]

  --email-from ADDRESS     the address its customers' mail comes from (a domain verified with the
                           mail provider); "" for the platform's default, <slug>@MAIL_FROM_DOMAIN
  --contact-email ADDRESS  where notices for the company go (a webhook endpoint disabled after
                           failing); "" for none
  --mail-quota N           emails an hour its requests may send (default 500; 0 holds all); past
                           it, mail is held until admin outbox release, and the API's answer
                           does not change`,
  options: { slug: { type: 'string' }, 'email-from': { type: 'string' }, 'contact-email': { type: 'string' }, 'mail-quota': { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const id = await companyIdOf(ctx, values.slug);
    const address = (value: unknown, option: string): string | null => {
      if (value === '') return null;
      if (typeof value !== 'string' || !emailPattern.test(value)) throw new UsageError(`${option} must be an email address (or "" to clear it)`);
      return value;
    };
    const changes: Array<[column: string, value: string | number | null]> = [];
    if (values['email-from'] !== undefined) changes.push(['email_from', address(values['email-from'], '--email-from')]);
    if (values['contact-email'] !== undefined) changes.push(['contact_email', address(values['contact-email'], '--contact-email')]);
    if (values['mail-quota'] !== undefined) {
      const quota = String(values['mail-quota']);
      if (!/^\d{1,7}$/.test(quota) || Number(quota) > 1_000_000) throw new UsageError('--mail-quota must be a whole number from 0 to 1000000');
      changes.push(['mail_quota_per_hour', Number(quota)]);
    }
    if (changes.length === 0) throw new UsageError('give --email-from, --contact-email or --mail-quota');
    const { rows } = await ctx.db.query<{ slug: string; email_from: string | null; contact_email: string | null; mail_quota_per_hour: number }>(
      `update ledger.companies set ${changes.map(([column], i) => `${column} = $${i + 2}`).join(', ')} where id = $1
       returning slug, email_from, contact_email, mail_quota_per_hour`,
      [id, ...changes.map(([, value]) => value)],
    );
    const row = rows[0]!;
    ctx.print(
      `${row.slug}: mail from ${row.email_from ?? '(the platform default)'}, notices to ${row.contact_email ?? '(nobody)'}, at most ${row.mail_quota_per_hour} emails an hour`,
      { slug: row.slug, emailFrom: row.email_from, contactEmail: row.contact_email, mailQuotaPerHour: row.mail_quota_per_hour },
    );
  },
};

/** The rows `sql` finds for the company named by `slug` (its id is `$1`, `params` follow it). */
export async function companyRows<Row extends pg.QueryResultRow>(ctx: { db: pg.Client }, slug: unknown, sql: string, params: unknown[] = []): Promise<Row[]> {
  const companyId = await companyIdOf(ctx, slug);
  return (await ctx.db.query<Row>(sql, [companyId, ...params])).rows;
}

/** Runs `sql` for the company named by `slug` (`$1` its id, `params` after it); `missing` when it changed no row. */
export async function changeCompanyRow(ctx: { db: pg.Client }, slug: unknown, sql: string, params: unknown[], missing: string): Promise<void> {
  const companyId = await companyIdOf(ctx, slug);
  const { rowCount } = await ctx.db.query(sql, [companyId, ...params]);
  if (!rowCount) throw new CommandError(missing);
}

/** The id of the company with this slug, or a CommandError naming it. */
export async function companyIdOf(ctx: { db: pg.Client }, slug: unknown): Promise<string> {
  if (typeof slug !== 'string' || slug === '') throw new UsageError('--company SLUG (or --slug SLUG) is required');
  const { rows } = await ctx.db.query<{ id: string }>('select id from ledger.companies where slug = $1', [slug]);
  if (!rows[0]) throw new CommandError(`no company with slug ${slug} (see: admin company list)`);
  return rows[0].id;
}
