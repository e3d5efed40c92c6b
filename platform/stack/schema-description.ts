/**
 * A database's schema as sorted lines of text, read from the catalog: what `pg_dump --schema-only`
 * would say of the project's schemas (ledger, private, public), normalised so that two databases
 * built by different migration files compare line by line. (pg_dump itself is no npm package; the
 * catalog holds the same facts.) Covers roles' settings, schemas and their grants, default
 * privileges, tables (row-level security), columns (type, nullability, default, identity,
 * generation, order), constraints, indexes, policies, triggers, functions (their whole definition),
 * grants on tables, columns and functions, and comments.
 */
import type pg from 'pg';

const schemas = `('ledger', 'private', 'public')`;

/** Each query yields one text column `line`. */
const queries: Record<string, string> = {
  role: `
    select format('role %s: %s', r.rolname, array_to_string(s.setconfig, ', ')) as line
    from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
    where r.rolname = 'purchases_api' and s.setdatabase = 0`,
  schema: `
    select format('schema %s: acl %s; comment %s', n.nspname, n.nspacl::text, obj_description(n.oid, 'pg_namespace')) as line
    from pg_namespace n where n.nspname in ${schemas}`,
  'default privileges': `
    select format('default privileges %s in %s on %s: %s', pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype, d.defaclacl::text) as line
    from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
    where n.nspname in ${schemas}`,
  table: `
    select format('table %s.%s (%s): rls %s, forced %s; acl %s; comment %s', n.nspname, c.relname, c.relkind,
                  c.relrowsecurity, c.relforcerowsecurity, c.relacl::text, obj_description(c.oid, 'pg_class')) as line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ${schemas} and c.relkind in ('r', 'v', 'm', 'p')`,
  column: `
    select format('column %s.%s #%s %s: %s%s%s%s%s; acl %s; comment %s', n.nspname, c.relname,
                  row_number() over (partition by c.oid order by a.attnum), a.attname, format_type(a.atttypid, a.atttypmod),
                  case when a.attnotnull then ' not null' else '' end,
                  case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end,
                  case when a.attgenerated <> '' then ' generated ' || pg_get_expr(d.adbin, d.adrelid) else '' end,
                  case when a.attgenerated = '' and d.adbin is not null then ' default ' || pg_get_expr(d.adbin, d.adrelid) else '' end,
                  a.attacl::text, col_description(c.oid, a.attnum)) as line
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where n.nspname in ${schemas} and c.relkind in ('r', 'v', 'm', 'p') and a.attnum > 0 and not a.attisdropped`,
  constraint: `
    select format('constraint %s.%s %s: %s', n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)) as line
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ${schemas}`,
  index: `
    select format('index %s', pg_get_indexdef(i.indexrelid)) as line
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ${schemas}`,
  sequence: `
    select format('sequence %s.%s: %s', n.nspname, c.relname, pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(t.relname), a.attname)) as line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_depend d on d.objid = c.oid and d.deptype in ('a', 'i')
    join pg_class t on t.oid = d.refobjid join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
    where n.nspname in ${schemas} and c.relkind = 'S'`,
  policy: `
    select format('policy %s.%s %s: %s %s to %s using (%s) with check (%s)', p.schemaname, p.tablename, p.policyname,
                  p.permissive, p.cmd, p.roles::text, p.qual, p.with_check) as line
    from pg_policies p where p.schemaname in ${schemas}`,
  trigger: `
    select format('trigger %s', pg_get_triggerdef(t.oid)) as line
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ${schemas} and not t.tgisinternal`,
  function: `
    select format('function %s: acl %s; comment %s; %s', p.oid::regprocedure, p.proacl::text, obj_description(p.oid, 'pg_proc'),
                  pg_get_functiondef(p.oid)) as line
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ${schemas} and p.prokind in ('f', 'p')`,
};

/** The schema's description: one line per object and fact, sorted. */
export async function describeSchema(client: pg.Client): Promise<string[]> {
  const lines: string[] = [];
  for (const sql of Object.values(queries)) {
    const { rows } = await client.query<{ line: string }>(sql);
    lines.push(...rows.map((row) => row.line));
  }
  return lines.sort();
}

/** What one description has that the other lacks, as `- line` (only in `before`) and `+ line` (only in `after`). */
export function schemaDifferences(before: string[], after: string[]): string[] {
  const inAfter = new Set(after);
  const inBefore = new Set(before);
  return [...before.filter((line) => !inAfter.has(line)).map((line) => `- ${line}`), ...after.filter((line) => !inBefore.has(line)).map((line) => `+ ${line}`)];
}
