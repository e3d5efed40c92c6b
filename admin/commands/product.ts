/** Products: each company's own catalog. */
import { CommandError } from '../context.ts';
import { requireText } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

export const productCreate: AdminCommand = {
  summary: "add a product to a company's catalog",
  usage: `admin product create --company SLUG --name NAME [--code CODE]

  --code CODE   the id client APIs know the product by (a Lumen product id such as LMN_123456)`,
  options: { company: { type: 'string' }, name: { type: 'string' }, code: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const name = requireText(values.name, '--name', 500);
    const code = values.code === undefined ? null : requireText(values.code, '--code', 255);
    const { rows } = await ctx.db
      .query<{ id: string }>('insert into ledger.products (company_id, name, code) values ($1, $2, $3) returning id', [
        companyId,
        name,
        code,
      ])
      .catch((error: { code?: string }) => {
        if (error.code === '23505') throw new CommandError(`the company already has a product with code ${String(code)}`);
        throw error;
      });
    ctx.print(`created product ${rows[0]!.id} (${name}${code ? `, ${code}` : ''})`, { id: rows[0]!.id, company: values.company, name, code });
  },
};

export const productList: AdminCommand = {
  summary: "list a company's products",
  usage: 'admin product list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const { rows } = await ctx.db.query<{ id: string; name: string; code: string | null }>(
      'select id, name, code from ledger.products where company_id = $1 order by name, id',
      [companyId],
    );
    ctx.print(rows.length === 0 ? 'no products' : rows.map((r) => `${r.id}  ${(r.code ?? '').padEnd(14)} ${r.name}`).join('\n'), rows);
  },
};
