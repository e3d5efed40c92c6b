/** Storefronts: where a company sells; DPD lists purchases by storefront. */
import { requireText } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

export const storefrontCreate: AdminCommand = {
  summary: 'add a storefront to a company',
  usage: 'admin storefront create --company SLUG --name NAME',
  options: { company: { type: 'string' }, name: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const name = requireText(values.name, '--name');
    const { rows } = await ctx.db.query<{ number: string }>(
      'insert into ledger.storefronts (company_id, name) values ($1, $2) returning number',
      [companyId, name],
    );
    const id = Number(rows[0]!.number);
    ctx.print(`created storefront ${id} (${name})`, { id, company: values.company, name });
  },
};

export const storefrontList: AdminCommand = {
  summary: "list a company's storefronts with their DPD ids",
  usage: 'admin storefront list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const { rows } = await ctx.db.query<{ number: string; name: string }>(
      'select number, name from ledger.storefronts where company_id = $1 order by number',
      [companyId],
    );
    const listed = rows.map((r) => ({ id: Number(r.number), name: r.name }));
    ctx.print(listed.length === 0 ? 'no storefronts' : listed.map((s) => `${String(s.id).padStart(6)}  ${s.name}`).join('\n'), listed);
  },
};
