/**
 * Webhook endpoints: where a company receives signed events about its purchases, and what was sent
 * to them. The signing secret is shown once (add, rotate-secret) and kept sealed under
 * WEBHOOK_SECRET_KEY, the delivery worker's key.
 */
import { lookup } from 'node:dns/promises';
import { encryptSecret } from '../../shared/crypto/index.ts';
import { addressProblem, endpointUrlProblem, hostToResolve } from '../../shared/webhooks/endpoint-url.ts';
import { webhookEventTypes } from '../../shared/webhooks/events.ts';
import { newWebhookSecret } from '../../shared/webhooks/signature.ts';
import { CommandError, UsageError, type CommandContext } from '../context.ts';
import { requireText, requireUuid, wholeNumber } from './args.ts';
import { companyIdOf } from './company.ts';
import type { AdminCommand } from './types.ts';

function eventsOf(value: unknown): string[] | null {
  if (value === undefined) return null;
  const events = String(value).split(',').map((e) => e.trim()).filter(Boolean);
  const unknown = events.filter((e) => !(webhookEventTypes as readonly string[]).includes(e));
  if (events.length === 0 || unknown.length > 0) {
    throw new UsageError(`--events takes a comma-separated list of ${webhookEventTypes.join(', ')}${unknown.length ? ` (not: ${unknown.join(', ')})` : ''}`);
  }
  return [...new Set(events)];
}

/** Why the platform will not call this URL: what it says, then what its host resolves to. */
async function refusal(url: string, local: boolean): Promise<string | null> {
  const problem = endpointUrlProblem(url, { local });
  if (problem) return problem;
  const host = hostToResolve(url);
  if (!host) return null;
  const addresses = await lookup(host, { all: true }).catch(() => null);
  if (!addresses || addresses.length === 0) return `${host} does not resolve`;
  for (const { address } of addresses) {
    const unsafe = addressProblem(address, { local });
    if (unsafe) return `${host} resolves to ${unsafe}`;
  }
  return null;
}

async function checkedUrl(ctx: CommandContext, value: unknown): Promise<string> {
  const url = requireText(value, '--url', 2000);
  const problem = await refusal(url, ctx.localDevelopment);
  if (problem) throw new CommandError(`refusing ${url}: ${problem}`);
  return url;
}

interface EndpointRow {
  id: string;
  company: string;
  url: string;
  description: string | null;
  event_types: string[] | null;
  state: string;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
  pending: number;
  delivered: number;
  dead: number;
}

async function endpointsOf(ctx: CommandContext, where: string, params: unknown[]): Promise<EndpointRow[]> {
  const { rows } = await ctx.db.query<EndpointRow>(
    `select e.id, c.slug as company, e.url, e.description, e.event_types, e.state, e.disabled_reason, e.failing_since, e.created_at,
            count(d.id) filter (where d.state = 'pending')::int as pending,
            count(d.id) filter (where d.state = 'delivered')::int as delivered,
            count(d.id) filter (where d.state = 'dead')::int as dead
     from ledger.webhook_endpoints e
     join ledger.companies c on c.id = e.company_id
     left join ledger.webhook_deliveries d on d.endpoint_id = e.id
     where ${where}
     group by e.id, c.slug order by e.created_at`,
    params,
  );
  return rows;
}

function asJson(row: EndpointRow) {
  return {
    id: row.id,
    company: row.company,
    url: row.url,
    description: row.description,
    events: row.event_types ?? 'all',
    state: row.state,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since,
    createdAt: row.created_at,
    deliveries: { pending: row.pending, delivered: row.delivered, dead: row.dead },
  };
}

function describe(row: EndpointRow): string {
  const events = row.event_types ? row.event_types.join(',') : 'all events';
  const state = row.state === 'active' ? (row.failing_since ? `active, failing since ${row.failing_since.toISOString()}` : 'active') : `disabled: ${row.disabled_reason}`;
  return `${row.id}  ${row.url}\n    ${events}; ${state}; deliveries ${row.delivered} delivered, ${row.pending} pending, ${row.dead} dead`;
}

async function endpoint(ctx: CommandContext, value: unknown): Promise<EndpointRow> {
  const id = requireUuid(value, '--id');
  const [row] = await endpointsOf(ctx, 'e.id = $1', [id]);
  if (!row) throw new CommandError(`no webhook endpoint ${id} (see: admin webhook list --company SLUG)`);
  return row;
}

export const webhookAdd: AdminCommand = {
  summary: 'register a webhook endpoint for a company (prints its signing secret once)',
  usage: `admin webhook add --company SLUG --url URL [--events TYPE,...] [--description TEXT]

  --url URL          https, to a public address (plain http to this machine only in local
                     development: when the database is on this machine)
  --events LIST      only these: ${webhookEventTypes.join(', ')} (default: all)
  --description TEXT what the endpoint is for

Prints the endpoint's id and its signing secret (whsec_...), shown only now: the receiver verifies
each request's webhook-signature with it (Standard Webhooks).`,
  options: { company: { type: 'string' }, url: { type: 'string' }, events: { type: 'string' }, description: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const companyId = await companyIdOf(ctx, values.company);
    const events = eventsOf(values.events);
    const url = await checkedUrl(ctx, values.url);
    const description = values.description === undefined ? null : requireText(values.description, '--description', 500);
    const secret = newWebhookSecret();
    const { rows } = await ctx.db.query<{ id: string }>(
      `insert into ledger.webhook_endpoints (company_id, url, description, event_types, sealed_secret) values ($1, $2, $3, $4, $5) returning id`,
      [companyId, url, description, events, await encryptSecret(secret, ctx.webhookSecretKey)],
    );
    const [row] = await endpointsOf(ctx, 'e.id = $1', [rows[0]!.id]);
    ctx.print(`registered webhook endpoint\n${describe(row!)}\nsigning secret (shown once): ${secret}`, { ...asJson(row!), secret });
  },
};

export const webhookList: AdminCommand = {
  summary: "list a company's webhook endpoints and how their deliveries stand",
  usage: 'admin webhook list --company SLUG',
  options: { company: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const rows = await endpointsOf(ctx, 'e.company_id = $1', [await companyIdOf(ctx, values.company)]);
    ctx.print(rows.length ? rows.map(describe).join('\n') : `${String(values.company)} has no webhook endpoints`, rows.map(asJson));
  },
};

export const webhookDisable: AdminCommand = {
  summary: 'stop sending to a webhook endpoint (its pending deliveries are dead-lettered)',
  usage: 'admin webhook disable --id ENDPOINT',
  options: { id: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const row = await endpoint(ctx, values.id);
    await ctx.db.query(`select private.disable_webhook_endpoint($1, 'disabled with the admin CLI', false)`, [row.id]);
    const [after] = await endpointsOf(ctx, 'e.id = $1', [row.id]);
    ctx.print(`disabled\n${describe(after!)}`, asJson(after!));
  },
};

export const webhookEnable: AdminCommand = {
  summary: 'send to a disabled webhook endpoint again (redeliver sends what it missed)',
  usage: `admin webhook enable --id ENDPOINT

Its URL is checked again. Deliveries dead-lettered while it was failing or disabled stay so:
send them with admin webhook redeliver --endpoint ENDPOINT --dead.`,
  options: { id: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const row = await endpoint(ctx, values.id);
    await checkedUrl(ctx, row.url);
    await ctx.db.query(
      `update ledger.webhook_endpoints set state = 'active', disabled_reason = null, disabled_at = null, failing_since = null, updated_at = now() where id = $1`,
      [row.id],
    );
    const [after] = await endpointsOf(ctx, 'e.id = $1', [row.id]);
    ctx.print(`enabled\n${describe(after!)}`, asJson(after!));
  },
};

export const webhookRotateSecret: AdminCommand = {
  summary: "replace a webhook endpoint's signing secret (prints the new one once)",
  usage: `admin webhook rotate-secret --id ENDPOINT

Every request from now on is signed with the new secret, retries of earlier events included.`,
  options: { id: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const row = await endpoint(ctx, values.id);
    const secret = newWebhookSecret();
    await ctx.db.query('update ledger.webhook_endpoints set sealed_secret = $2, updated_at = now() where id = $1', [
      row.id,
      await encryptSecret(secret, ctx.webhookSecretKey),
    ]);
    ctx.print(`new signing secret for ${row.url} (shown once): ${secret}`, { id: row.id, url: row.url, secret });
  },
};

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  state: string;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  last_status: number | null;
  last_response: string | null;
  last_attempt_at: Date | null;
}

export const webhookDeliveries: AdminCommand = {
  summary: "a webhook endpoint's delivery log, newest first",
  usage: `admin webhook deliveries --id ENDPOINT [--state pending|delivered|dead] [--limit N]

  --limit N   how many (1-1000, default 20)`,
  options: { id: { type: 'string' }, state: { type: 'string' }, limit: { type: 'string' } },
  positionals: 0,
  async run(ctx, values) {
    const row = await endpoint(ctx, values.id);
    const state = values.state;
    if (state !== undefined && !['pending', 'delivered', 'dead'].includes(String(state))) throw new UsageError('--state is pending, delivered or dead');
    const limit = wholeNumber(values.limit, '--limit', 1000) ?? 20;
    const { rows } = await ctx.db.query<DeliveryRow>(
      `select d.id, v.id as event_id, v.event_type, d.state, d.attempts, d.last_error, d.created_at, d.delivered_at,
              a.status as last_status, a.response as last_response, a.attempted_at as last_attempt_at
       from ledger.webhook_deliveries d
       join ledger.webhook_events v on v.id = d.event_id
       left join lateral (select * from ledger.webhook_attempts a where a.delivery_id = d.id order by a.attempted_at desc limit 1) a on true
       where d.endpoint_id = $1 and ($2::text is null or d.state = $2)
       order by d.created_at desc limit $3`,
      [row.id, state ?? null, limit],
    );
    const json = rows.map((d) => ({
      id: d.id,
      webhookId: `msg_${d.event_id.replaceAll('-', '')}`,
      type: d.event_type,
      state: d.state,
      attempts: d.attempts,
      lastError: d.last_error,
      lastStatus: d.last_status,
      lastResponse: d.last_response,
      lastAttemptAt: d.last_attempt_at,
      createdAt: d.created_at,
      deliveredAt: d.delivered_at,
    }));
    const human = json.length
      ? json
          .map((d) => `${d.id}  ${d.type.padEnd(20)} ${d.state.padEnd(9)} ${d.attempts} attempt(s)${d.lastStatus ? `, last ${d.lastStatus}` : ''}${d.lastError ? `: ${d.lastError}` : ''}`)
          .join('\n')
      : 'no deliveries';
    ctx.print(human, json);
  },
};

export const webhookRedeliver: AdminCommand = {
  summary: 'send a delivery (or every dead-lettered delivery of an endpoint) again',
  usage: `admin webhook redeliver --delivery DELIVERY
admin webhook redeliver --endpoint ENDPOINT --dead

The deliveries become pending: the relay's next sweep (within a minute deployed, SWEEP_SECONDS
locally) sends them, with their original webhook-id. The endpoint must be enabled.`,
  options: { delivery: { type: 'string' }, endpoint: { type: 'string' }, dead: { type: 'boolean' } },
  positionals: 0,
  async run(ctx, values) {
    let where: string;
    let param: string;
    if (values.delivery !== undefined) {
      where = 'd.id = $1';
      param = requireUuid(values.delivery, '--delivery');
    } else if (values.endpoint !== undefined && values.dead) {
      where = `d.endpoint_id = $1 and d.state = 'dead'`;
      param = requireUuid(values.endpoint, '--endpoint');
    } else {
      throw new UsageError('give --delivery DELIVERY, or --endpoint ENDPOINT --dead');
    }
    const { rows } = await ctx.db.query<{ id: string; endpoint_state: string }>(
      `update ledger.webhook_deliveries d set state = 'pending', lease_until = null, dead_at = null
       from ledger.webhook_endpoints e
       where e.id = d.endpoint_id and e.state = 'active' and ${where}
       returning d.id, e.state as endpoint_state`,
      [param],
    );
    if (rows.length === 0) {
      const disabled = await ctx.db.query(
        `select 1 from ledger.webhook_deliveries d join ledger.webhook_endpoints e on e.id = d.endpoint_id where e.state = 'disabled' and ${where}`,
        [param],
      );
      if (disabled.rowCount) throw new CommandError('the endpoint is disabled: enable it first (admin webhook enable --id ENDPOINT)');
      if (values.delivery !== undefined) throw new CommandError(`no delivery ${param}`);
    }
    ctx.print(`${rows.length} deliver${rows.length === 1 ? 'y' : 'ies'} pending again; the relay's next sweep sends ${rows.length === 1 ? 'it' : 'them'}`, {
      redelivered: rows.map((r) => r.id),
    });
  },
};
