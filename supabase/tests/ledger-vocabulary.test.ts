/**
 * The database speaks the ledger's language: no field name of the five APIs' wire forms appears in
 * the migrations' SQL unless the ledger uses it too (`status`, `total`, `currency`: a column of
 * ledger.*). The wire's names are every request and response field and parameter of the APIs'
 * own documents (functions/<api>/openapi.generated.json, written from the schemas that validate
 * them); the ledger's are its tables' columns and names, from the catalog.
 *
 * Read as SQL reads: comments, `comment on` texts and quoted identifiers (policy names) are prose,
 * and a quoted text with spaces is a message; what is left is code and the literals code uses
 * (JSON keys and paths, field paths). An SQL keyword outside quotes (`limit`, `after`) is SQL's own.
 */
import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiNames } from '../../shared/apis.ts';
import { superuser } from '../../test/helpers.ts';

/** Names our own events carry by the Standard Webhooks envelope (type, timestamp, data), not a vendor's. */
const standardWebhooksNames = ['type', 'timestamp', 'data'];

/**
 * Every field and parameter name a document's paths use (its webhooks are the platform's own
 * events); a form's dotted names (`OrderDetails[0].OfferId`) also by each of their parts.
 */
function wireNames(document: unknown): Set<string> {
  const names = new Set<string>();
  const add = (name: string) => {
    names.add(name);
    if (/[.[]/.test(name)) for (const part of name.split(/[.[\]]+/)) if (/^[A-Za-z_]/.test(part)) names.add(part);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.properties && typeof record.properties === 'object') Object.keys(record.properties).forEach(add);
    if (Array.isArray(record.parameters)) for (const parameter of record.parameters as Array<{ name?: string }>) if (parameter.name) add(parameter.name);
    Object.values(record).forEach(walk);
  };
  walk((document as { paths: unknown }).paths);
  return names;
}

/** The SQL of a migration as code and the literals code uses, each with where it stands. */
export function sqlParts(sql: string): Array<{ text: string; quoted: boolean }> {
  const code = sql
    .replace(/comment on [^;]*? is '(?:[^']|'')*';/gi, '')
    .replace(/--[^\n]*/g, '')
    .replace(/"[^"\n]*"/g, '');
  const parts: Array<{ text: string; quoted: boolean }> = [];
  let last = 0;
  for (const literal of code.matchAll(/'(?:[^']|'')*'/g)) {
    parts.push({ text: code.slice(last, literal.index), quoted: false });
    const text = literal[0].slice(1, -1);
    if (!/\s/.test(text)) parts.push({ text, quoted: true });
    last = literal.index + literal[0].length;
  }
  parts.push({ text: code.slice(last), quoted: false });
  return parts;
}

/** Where `name` stands in the parts as a whole word (not inside a longer name such as `total_op`). */
export function usesOf(name: string, parts: Array<{ text: string; quoted: boolean }>, keywords: Set<string>): string[] {
  const word = new RegExp(`(?<![A-Za-z0-9_-])${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![A-Za-z0-9_-])`);
  return parts.filter((part) => word.test(part.text) && (part.quoted || !keywords.has(name.toLowerCase()))).map((part) => (part.quoted ? `'${part.text}'` : name));
}

let db: pg.Client;
beforeAll(async () => (db = await superuser()));
afterAll(async () => db?.end());

describe('the ledger vocabulary', () => {
  it('finds a wire name where SQL would use it, and not in prose', () => {
    const keywords = new Set(['limit']);
    expect(usesOf('partnerPurchaseId', sqlParts(`select purchase ->> 'partnerPurchaseId'`), keywords)).toEqual(["'partnerPurchaseId'"]);
    expect(usesOf('OfferId', sqlParts(`select format('OrderDetails[%s].OfferId', 1)`), keywords)).toEqual(["'OrderDetails[%s].OfferId'"]);
    expect(usesOf('total_op', sqlParts('create function f(total_op text)'), keywords)).toEqual(['total_op']);
    expect(usesOf('limit', sqlParts(`select 1 limit 2; select jsonb_build_object('limit', 1)`), keywords)).toEqual(["'limit'"]);
    const prose = `-- partnerPurchaseId\ncomment on table t is 'The partnerPurchaseId''s rule';\ncreate policy "ship partnerPurchaseId" on t;\nraise exception 'bad partnerPurchaseId given';`;
    expect(usesOf('partnerPurchaseId', sqlParts(prose), keywords)).toEqual([]);
  });

  it('appears in no migration: the database holds no field name of the five wire forms that the ledger does not share', async () => {
    const wire = new Map<string, string[]>();
    for (const api of apiNames) {
      const document: unknown = JSON.parse(await readFile(`functions/${api}/openapi.generated.json`, 'utf8'));
      for (const name of wireNames(document)) wire.set(name, [...(wire.get(name) ?? []), api]);
    }
    expect(wire.size).toBeGreaterThan(150);

    const { rows: columns } = await db.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'ledger'`,
    );
    const ledger = new Set<string>(columns.map((c) => c.column_name));
    // A table's name is the ledger's too, as a noun: purchases, purchase; purchase_items, items.
    for (const table of new Set(columns.map((c) => c.table_name))) {
      for (const noun of [table, table.replace(/s$/, ''), table.replace(/^purchase_/, '')]) ledger.add(noun);
    }
    expect(ledger).toContain('external_id');

    const { rows: keywordRows } = await db.query<{ word: string }>('select word from pg_get_keywords()');
    const keywords = new Set(keywordRows.map((row) => row.word));

    const found: string[] = [];
    const directory = 'supabase/migrations';
    for (const file of (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort()) {
      const parts = sqlParts(await readFile(`${directory}/${file}`, 'utf8'));
      for (const [name, apis] of wire) {
        if (ledger.has(name) || standardWebhooksNames.includes(name)) continue;
        const uses = usesOf(name, parts, keywords);
        if (uses.length > 0) found.push(`${file}: ${name} (${apis.join(', ')}) in ${[...new Set(uses)].join(', ')}`);
      }
    }
    expect(found).toEqual([]);
  });
});
