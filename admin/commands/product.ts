/** Products: each company's own catalog. */
import { requireText } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

export const productCreate: AdminCommand = {
  summary: "add a product to a company's catalog",
  usage: 'admin product create --company SLUG --name NAME',
  options: { company: { type: 'string' }, name: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const name = requireText(values.name, '--name', 500);
    const { rows } = await ctx.db.query<{ id: string }>(
      'insert into ledger.products (company_id, name) values ($1, $2) returning id',
      [companyId, name],
    );
    ctx.print(`created product ${rows[0]!.id} (${name})`, { id: rows[0]!.id, company: values.company, name });
  },
};

export const productList: AdminCommand = {
  summary: "list a company's products",
  usage: 'admin product list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const { rows } = await ctx.db.query<{ id: string; name: string }>(
      'select id, name from ledger.products where company_id = $1 order by name, id',
      [companyId],
    );
    ctx.print(rows.length === 0 ? 'no products' : rows.map((r) => `${r.id}  ${r.name}`).join('\n'), rows);
  },
};
