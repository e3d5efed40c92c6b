-- Lumen partner purchases: each company's partnership (which fulfillment models it may use, its
-- rate limit), the products granted to it (by their codes), the audience segments agreed with it,
-- and the RPC that records a partner's purchase in one round trip.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.lumen_partnerships (
  company_id uuid primary key references ledger.companies (id) on delete cascade,
  -- Which fulfillment models the partner may use: Lumen-fulfilled (Lumen ships) or partner-fulfilled.
  lumen_fulfilled boolean not null default false,
  partner_fulfilled boolean not null default false,
  rate_limit integer not null default 60 check (rate_limit between 1 and 100000),
  rate_window_seconds integer not null default 60 check (rate_window_seconds between 1 and 86400),
  created_at timestamptz not null default now()
);
comment on table ledger.lumen_partnerships is 'A company''s Lumen partnership: enabled fulfillment models and its request rate limit.';

create table if not exists ledger.lumen_product_grants (
  company_id uuid not null references ledger.lumen_partnerships (company_id) on delete cascade,
  product_id uuid not null references ledger.products (id) on delete cascade,
  primary key (company_id, product_id)
);
comment on table ledger.lumen_product_grants is 'Products granted to a partnership at onboarding; lines may name only these (by code).';

create table if not exists ledger.lumen_audience_segments (
  company_id uuid not null references ledger.lumen_partnerships (company_id) on delete cascade,
  segment text not null check (length(segment) between 1 and 100),
  primary key (company_id, segment)
);
comment on table ledger.lumen_audience_segments is 'Audience segments agreed with a partner; a purchase may name only these.';

alter table ledger.lumen_partnerships enable row level security;
alter table ledger.lumen_product_grants enable row level security;
alter table ledger.lumen_audience_segments enable row level security;
grant select on ledger.lumen_partnerships, ledger.lumen_product_grants, ledger.lumen_audience_segments to purchases_api;

drop policy if exists "Partnerships are visible to their company" on ledger.lumen_partnerships;
create policy "Partnerships are visible to their company" on ledger.lumen_partnerships
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Product grants are visible to their company" on ledger.lumen_product_grants;
create policy "Product grants are visible to their company" on ledger.lumen_product_grants
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Audience segments are visible to their company" on ledger.lumen_audience_segments;
create policy "Audience segments are visible to their company" on ledger.lumen_audience_segments
  for select to purchases_api using (company_id = (select private.caller_company_id()));

-- ============================================================================================
-- RPC
-- ============================================================================================

-- Records a partner's purchase. `purchase` is in the ledger's names (shared/ledger): external_id,
-- requires_shipping, the shipping_* address columns, attributes, customer (email, first_name,
-- last_name) and lines (product_code, quantity); `lumen_fulfilled` says which fulfillment model
-- it uses and `segment` the audience segment it names, both checked against the partnership.
-- Raises PT401 for an unknown key, PT400 with `details` holding a JSON list of field issues (named
-- by those paths) for what only the partnership can decide (disabled model, product not granted,
-- segment not agreed), PT409 for an external id already reported. Returns the purchase's id,
-- number and creation time.
create or replace function public.lumen_create_purchase(purchase jsonb, lumen_fulfilled boolean, segment text default null)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  partnership ledger.lumen_partnerships;
  issues jsonb := '[]';
  given ledger.purchases := jsonb_populate_record(null::ledger.purchases, purchase);
  buyer ledger.customers := jsonb_populate_record(null::ledger.customers, purchase -> 'customer');
  customer_row ledger.customers;
  created ledger.purchases;
  line record;
begin
  select p.* into partnership from ledger.lumen_partnerships p where p.company_id = company;
  if partnership.company_id is null
     or (lumen_fulfilled and not partnership.lumen_fulfilled)
     or (not lumen_fulfilled and not partnership.partner_fulfilled) then
    issues := issues || jsonb_build_object('path', 'lumen_fulfilled',
      'reason', case when lumen_fulfilled then 'lumen_fulfillment_not_enabled' else 'partner_fulfillment_not_enabled' end);
  end if;

  -- Every line must name a product granted to this partnership.
  for line in
    select l.ordinality - 1 as position, l.value ->> 'product_code' as code
    from jsonb_array_elements(purchase -> 'lines') with ordinality as l
    where not exists (
      select 1 from ledger.lumen_product_grants g join ledger.products p on p.id = g.product_id
      where g.company_id = company and p.code = l.value ->> 'product_code'
    )
  loop
    issues := issues || jsonb_build_object('path', format('lines[%s].product_code', line.position),
      'reason', 'product_not_granted', 'values', jsonb_build_object('product', line.code));
  end loop;

  if segment is not null and not exists (
    select 1 from ledger.lumen_audience_segments s where s.company_id = company and s.segment = lumen_create_purchase.segment
  ) then
    issues := issues || jsonb_build_object('path', 'segment',
      'reason', 'segment_not_agreed', 'values', jsonb_build_object('segment', segment));
  end if;

  if jsonb_array_length(issues) > 0 then
    raise exception 'purchase does not fit the partnership'
      using errcode = 'PT400', hint = 'field_issues', detail = issues::text;
  end if;

  -- The customer: one per email address; the latest names win.
  insert into ledger.customers as c (company_id, email, first_name, last_name)
  values (company, buyer.email, buyer.first_name, buyer.last_name)
  on conflict (company_id, email_key) where user_key is null do update
    set first_name = excluded.first_name, last_name = excluded.last_name, updated_at = now()
  returning * into customer_row;

  insert into ledger.purchases as p (
    company_id, source, external_id, customer_id, requires_shipping,
    shipping_first_name, shipping_last_name, shipping_street, shipping_street2, shipping_city,
    shipping_state, shipping_zip, shipping_country_code, shipping_phone, attributes
  ) values (
    company, 'lumen', given.external_id, customer_row.id, coalesce(given.requires_shipping, false),
    given.shipping_first_name, given.shipping_last_name, given.shipping_street, given.shipping_street2, given.shipping_city,
    given.shipping_state, given.shipping_zip, given.shipping_country_code, given.shipping_phone,
    coalesce(given.attributes, '{}')
  )
  on conflict (company_id, source, external_id) where external_id is not null do nothing
  returning * into created;
  if created.id is null then
    raise exception 'duplicate purchase' using errcode = 'PT409', hint = 'duplicate_purchase',
      detail = jsonb_build_object('external_id', given.external_id)::text;
  end if;

  insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, position)
  select created.id, company, p.id, (l.value ->> 'quantity')::integer, l.ordinality - 1
  from jsonb_array_elements(purchase -> 'lines') with ordinality as l
  join ledger.products p on p.company_id = company and p.code = l.value ->> 'product_code';

  -- Lumen-fulfilled, Lumen ships the product; partner-fulfilled, Lumen registers the customer for
  -- account setup (once per customer).
  if lumen_fulfilled then
    insert into ledger.shipments (company_id, purchase_id) values (company, created.id);
  else
    insert into ledger.account_setups (company_id, customer_id) values (company, customer_row.id)
    on conflict (company_id, customer_id) do nothing;
  end if;

  return jsonb_build_object('id', created.id, 'number', created.number, 'created_at', created.created_at);
end;
$$;
comment on function public.lumen_create_purchase(jsonb, boolean, text) is 'Lumen POST /partners/v1/purchases: customer, purchase, lines and shipment or account setup, in one transaction.';

revoke all on function public.lumen_create_purchase(jsonb, boolean, text) from public, anon, authenticated;
grant execute on function public.lumen_create_purchase(jsonb, boolean, text) to purchases_api;
