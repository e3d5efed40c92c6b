-- The operations function's RPCs: create_purchase (with Idempotency-Key replay) and the read
-- actions partners reconcile with. Each is one PostgREST call that authenticates the caller,
-- checks what needs data through RLS, writes in one transaction and returns the response row.

-- ============================================================================================
-- Idempotency keys
-- ============================================================================================

-- As Stripe's: the first successful response to a key is kept and replayed to retries with the
-- same request. A request that fails writes nothing, its key included, so its retry is evaluated
-- afresh. Keys are honoured for 24 hours; an older key is treated as new.
create table if not exists ledger.idempotency_keys (
  company_id uuid not null references ledger.companies (id) on delete cascade,
  key text not null check (length(key) between 1 and 255),
  action text not null,
  request_hash text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (company_id, key)
);
comment on table ledger.idempotency_keys is 'Responses kept for Idempotency-Key retries (honoured 24 hours).';
create index if not exists idempotency_keys_created on ledger.idempotency_keys (created_at);

alter table ledger.idempotency_keys enable row level security;
grant select, insert, update on ledger.idempotency_keys to purchases_api;

drop policy if exists "Idempotency keys are visible to their company" on ledger.idempotency_keys;
create policy "Idempotency keys are visible to their company" on ledger.idempotency_keys
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));

drop policy if exists "Companies keep their own idempotency keys" on ledger.idempotency_keys;
create policy "Companies keep their own idempotency keys" on ledger.idempotency_keys
  for insert to purchases_api
  with check (company_id = (select private.caller_company_id()));

drop policy if exists "Companies renew their own expired idempotency keys" on ledger.idempotency_keys;
create policy "Companies renew their own expired idempotency keys" on ledger.idempotency_keys
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (company_id = (select private.caller_company_id()));

-- ============================================================================================
-- Helpers
-- ============================================================================================

-- A purchase as the operations RPCs return it, in the ledger's names (the worker words it as the
-- reference does): the purchase's own fields and its lines' products.
create or replace function private.operations_purchase_json(p ledger.purchases)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p.id,
    'created_at', p.created_at,
    'lead_id', p.lead_id,
    'total', p.total,
    'purchased_at', p.purchased_at,
    'description', p.description,
    'lines', coalesce((select jsonb_agg(jsonb_build_object('product_id', i.product_id) order by i.position)
      from ledger.purchase_items i where i.purchase_id = p.id), '[]')
  );
$$;
revoke all on function private.operations_purchase_json(ledger.purchases) from public;
grant execute on function private.operations_purchase_json(ledger.purchases) to purchases_api;

-- ============================================================================================
-- RPCs
-- ============================================================================================

-- create_purchase. Errors by reason (the worker words them as the reference does): 401
-- invalid_credential, 403 lead_not_accessible, 403 product_not_owned, 409 idempotency_key_reused
-- (a key used for another request). Returns { purchase, replayed }.
create or replace function public.operations_create_purchase(
  lead uuid,
  product uuid default null,
  amount numeric default null,
  purchased_at timestamptz default null,
  note text default null,
  idempotency_key text default null,
  request_hash text default null
)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  kept ledger.idempotency_keys;
  lead_row ledger.leads;
  channel_row ledger.channels;
  created ledger.purchases;
  result jsonb;
begin
  if idempotency_key is not null then
    -- Waits on a concurrent request holding the same key until it commits or rolls back.
    insert into ledger.idempotency_keys as k (company_id, key, action, request_hash, response)
    values (company, idempotency_key, 'create_purchase', request_hash, '{}')
    on conflict (company_id, key) do update
      set action = excluded.action, request_hash = excluded.request_hash, response = '{}', created_at = now()
      where k.created_at < now() - interval '24 hours'
    returning * into kept;
    if not found then
      select * into kept from ledger.idempotency_keys k where k.company_id = company and k.key = idempotency_key;
      if kept.request_hash <> request_hash or kept.action <> 'create_purchase' then
        raise exception 'idempotency key reused' using errcode = 'PT409', hint = 'idempotency_key_reused',
          detail = jsonb_build_object('key', idempotency_key)::text;
      end if;
      return jsonb_build_object('purchase', kept.response, 'replayed', true);
    end if;
  end if;

  -- RLS shows a lead only to companies with access to its channel.
  select l.* into lead_row from ledger.leads l where l.id = lead;
  if lead_row.id is null then
    raise exception 'lead not accessible' using errcode = 'PT403', hint = 'lead_not_accessible';
  end if;
  select c.* into channel_row from ledger.channels c where c.id = lead_row.channel_id;

  -- RLS shows a product only to its own company.
  if product is not null and not exists (select 1 from ledger.products p where p.id = product) then
    raise exception 'product not owned' using errcode = 'PT403', hint = 'product_not_owned';
  end if;

  insert into ledger.purchases (company_id, source, lead_id, channel_id, currency, total, purchased_at, description)
  values (company, 'operations', lead, channel_row.id, channel_row.currency, amount, coalesce(purchased_at, now()), note)
  returning * into created;

  if product is not null then
    insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, unit_price, position)
    values (created.id, company, product, 1, amount, 0);
  end if;

  result := private.operations_purchase_json(created);
  if idempotency_key is not null then
    update ledger.idempotency_keys k set response = result where k.company_id = company and k.key = idempotency_key;
  end if;
  return jsonb_build_object('purchase', result, 'replayed', false);
end;
$$;
comment on function public.operations_create_purchase(uuid, uuid, numeric, timestamptz, text, text, text) is
  'Operations API create_purchase: the purchase, its events and rewards, in one transaction; replays an idempotency key''s first response.';

-- get_purchase: one of the caller's purchases, or 404.
create or replace function public.operations_get_purchase(purchase uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  found ledger.purchases;
begin
  select p.* into found from ledger.purchases p where p.id = purchase;
  if found.id is null then
    raise exception 'purchase not found' using errcode = 'PT404', hint = 'purchase_not_found';
  end if;
  return jsonb_build_object('purchase', private.operations_purchase_json(found));
end;
$$;
comment on function public.operations_get_purchase(uuid) is 'Operations API get_purchase.';

-- list_purchases: the caller's purchases against a lead, newest first, in pages after a purchase id.
create or replace function public.operations_list_purchases(lead uuid, page_size integer default 50, after_id uuid default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  cursor_row ledger.purchases;
begin
  if not exists (select 1 from ledger.leads l where l.id = lead) then
    raise exception 'lead not accessible' using errcode = 'PT403', hint = 'lead_not_accessible';
  end if;
  if after_id is not null then
    select p.* into cursor_row from ledger.purchases p where p.id = after_id and p.lead_id = lead;
    if cursor_row.id is null then
      raise exception 'unknown cursor' using errcode = 'PT400', hint = 'cursor_not_a_lead_purchase';
    end if;
  end if;
  -- One row more than the page tells whether there is a next page.
  return (
    with chosen as (
      select p, row_number() over (order by p.created_at desc, p.id desc) as n
      from ledger.purchases p
      where p.lead_id = lead
        and (cursor_row.id is null or (p.created_at, p.id) < (cursor_row.created_at, cursor_row.id))
      order by p.created_at desc, p.id desc
      limit page_size + 1
    )
    select jsonb_build_object(
      'purchases', coalesce(jsonb_agg(private.operations_purchase_json(chosen.p) order by chosen.n) filter (where chosen.n <= page_size), '[]'),
      'has_older', count(*) > page_size
    )
    from chosen
  );
end;
$$;
comment on function public.operations_list_purchases(uuid, integer, uuid) is 'Operations API list_purchases.';

-- list_reward_events: the caller's reward events, for one purchase or one lead or all, newest first.
create or replace function public.operations_list_reward_events(
  purchase uuid default null,
  lead uuid default null,
  page_size integer default 50,
  after_id uuid default null
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  cursor_row ledger.reward_events;
begin
  if after_id is not null then
    select r.* into cursor_row from ledger.reward_events r where r.id = after_id;
    if cursor_row.id is null then
      raise exception 'unknown cursor' using errcode = 'PT400', hint = 'cursor_not_a_reward_event';
    end if;
  end if;
  return (
    with chosen as (
      select r.*, row_number() over (order by r.created_at desc, r.id desc) as n
      from ledger.reward_events r
      where (purchase is null or r.purchase_id = purchase)
        and (lead is null or r.lead_id = lead)
        and (cursor_row.id is null or (r.created_at, r.id) < (cursor_row.created_at, cursor_row.id))
      order by r.created_at desc, r.id desc
      limit page_size + 1
    )
    select jsonb_build_object(
      'reward_events', coalesce(jsonb_agg(jsonb_build_object(
        'id', chosen.id,
        'purchase_id', chosen.purchase_id,
        'lead_id', chosen.lead_id,
        'trigger_id', chosen.trigger_id,
        'reward_type', chosen.reward_type,
        'amount', chosen.amount,
        'currency', chosen.currency,
        'created_at', chosen.created_at
      ) order by chosen.n) filter (where chosen.n <= page_size), '[]'),
      'has_older', count(*) > page_size
    )
    from chosen
  );
end;
$$;
comment on function public.operations_list_reward_events(uuid, uuid, integer, uuid) is 'Operations API list_reward_events.';

revoke all on function public.operations_create_purchase(uuid, uuid, numeric, timestamptz, text, text, text) from public, anon, authenticated;
revoke all on function public.operations_get_purchase(uuid) from public, anon, authenticated;
revoke all on function public.operations_list_purchases(uuid, integer, uuid) from public, anon, authenticated;
revoke all on function public.operations_list_reward_events(uuid, uuid, integer, uuid) from public, anon, authenticated;
grant execute on function public.operations_create_purchase(uuid, uuid, numeric, timestamptz, text, text, text) to purchases_api;
grant execute on function public.operations_get_purchase(uuid) to purchases_api;
grant execute on function public.operations_list_purchases(uuid, integer, uuid) to purchases_api;
grant execute on function public.operations_list_reward_events(uuid, uuid, integer, uuid) to purchases_api;
