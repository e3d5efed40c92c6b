/**
 * After the whole suite: no secret in clear in the database or the logs. Looks through every row
 * of every table (as text) and every log file for API keys, tokens, passwords and consumer
 * secrets (the demo ones and any the admin CLI issued, by their prefixes), JWTs, the platform's
 * own keys, card numbers and CVVs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { demoCompanies } from '../../platform/demo.ts';
import { passesLuhn } from '../../shared/payments/index.ts';

export interface SecretFinding {
  where: string;
  what: string;
}

export function findingsIn(text: string, where: string, known: string[]): SecretFinding[] {
  const found: SecretFinding[] = [];
  for (const secret of known) if (text.includes(secret)) found.push({ where, what: `a known secret (${secret.slice(0, 8)}…)` });
  const patterns: Array<[RegExp, string]> = [
    [/\b(?:lumen_sk_|ops_sk_|dpd_pw_|kit_at_|gcs_)[A-Za-z0-9_-]{40,}/g, 'an issued credential secret'],
    [/\b(?:lumen|ops|dpd|kit|gcs)_demo_[A-Za-z0-9_-]{16,}/g, 'a demo credential secret'],
    [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, 'a JWT'],
    [/\bcvv\b["'=: ]{1,4}\d{3,4}\b/gi, 'a CVV'],
  ];
  for (const [pattern, what] of patterns) for (const match of text.matchAll(pattern)) found.push({ where, what: `${what} (${match[0].slice(0, 12)}…)` });
  // 13 to 19 digits that start like a card (3–6) and pass the Luhn check.
  for (const match of text.matchAll(/(?<![\w.])[3-6]\d{12,18}(?![\w.])/g)) {
    if (passesLuhn(match[0])) found.push({ where, what: `a card number (…${match[0].slice(-4)})` });
  }
  return found;
}

/** The secrets the platform itself holds, which must appear nowhere either. */
function knownSecrets(extra: string[]): string[] {
  const demo = Object.values(demoCompanies).flatMap((c) => [
    c.lumen.apiKey, c.operations.apiKey, c.dpd.password, c.kit.token, c.groupcommerce.consumerSecret,
  ]);
  return [...demo, ...extra].filter((s) => s.length >= 12);
}

export async function scanForSecrets(databaseUrl: string, logDir: string, platformSecrets: string[]): Promise<{ findings: SecretFinding[]; rows: number; logBytes: number }> {
  const known = knownSecrets(platformSecrets);
  const findings: SecretFinding[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let rows = 0;
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_%'`,
    );
    for (const { schema, name } of tables.rows) {
      const result = await client.query(`select t::text as row from ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)} t`);
      rows += result.rowCount ?? 0;
      // The credentials table keeps digests and sealed secrets by design; they are not secrets in clear.
      const text = result.rows.map((r) => r.row).join('\n');
      findings.push(...findingsIn(text, `${schema}.${name}`, known));
    }
  } finally {
    await client.end();
  }
  let logBytes = 0;
  for (const file of await readdir(logDir).catch(() => [])) {
    const text = await readFile(join(logDir, file), 'utf8');
    logBytes += text.length;
    findings.push(...findingsIn(text, `logs/${file}`, known));
  }
  return { findings, rows, logBytes };
}
