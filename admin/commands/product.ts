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
  summary: "list a company's products with their ids for each API",
  usage: 'admin product list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const { rows } = await ctx.db.query<{ id: string; number: string; name: string; code: string | null }>(
      'select id, number, name, code from ledger.products where company_id = $1 order by number',
      [companyId],
    );
    // number: the integer id DPD shows; code: the id Lumen and Kit clients use.
    const listed = rows.map((r) => ({ id: r.id, number: Number(r.number), code: r.code, name: r.name }));
    const human = listed.map((r) => `${String(r.number).padStart(6)}  ${r.id}  ${(r.code ?? '').padEnd(14)} ${r.name}`).join('\n');
    ctx.print(listed.length === 0 ? 'no products' : human, listed);
  },
};
