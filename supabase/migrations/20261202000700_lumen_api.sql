-- Lumen partner purchases: each company's partnership (which fulfillment models it may use, its
-- rate limit), the products granted to it with their Lumen product ids, the audience segments
-- agreed with it, and the RPC that records a partner's purchase in one round trip.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.lumen_partnerships (
  company_id uuid primary key references ledger.companies (id) on delete cascade,
  -- spec: fulfillment true = Lumen-fulfilled (Lumen ships), false = partner-fulfilled.
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
comment on table ledger.lumen_product_grants is 'Products granted to a partnership at onboarding; items may name only these (by code).';

create table if not exists ledger.lumen_audience_segments (
  company_id uuid not null references ledger.lumen_partnerships (company_id) on delete cascade,
  segment text not null check (length(segment) between 1 and 100),
  primary key (company_id, segment)
);
comment on table ledger.lumen_audience_segments is 'additionalInfo.audienceSegment values agreed with a partner.';

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

-- Records a partner's purchase. `purchase` is the request body as the worker validated it (field
-- names as on the wire). Raises PT401 for an unknown key, PT400 with `details` holding a JSON
-- list of field issues for what only the partnership can decide (disabled model, product not
-- granted, segment not agreed), PT409 for a partnerPurchaseId already reported. Returns the
-- purchase's id, number and creation time, and the partnership's rate limit.
create or replace function public.lumen_create_purchase(purchase jsonb)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
  partnership ledger.lumen_partnerships;
  lumen_fulfilled boolean := (purchase ->> 'fulfillment')::boolean;
  issues jsonb := '[]';
  shipping jsonb := purchase -> 'shippingAddress';
  customer_row ledger.customers;
  created ledger.purchases;
  item record;
begin
  select p.* into partnership from ledger.lumen_partnerships p where p.company_id = company;
  if partnership.company_id is null
     or (lumen_fulfilled and not partnership.lumen_fulfilled)
     or (not lumen_fulfilled and not partnership.partner_fulfilled) then
    issues := issues || jsonb_build_object('field', 'fulfillment',
      'reason', case when lumen_fulfilled then 'lumen_fulfillment_not_enabled' else 'partner_fulfillment_not_enabled' end);
  end if;

  -- Every item must name a product granted to this partnership.
  for item in
    select i.ordinality - 1 as position, i.value ->> 'productId' as code
    from jsonb_array_elements(purchase -> 'items') with ordinality as i
    where not exists (
      select 1 from ledger.lumen_product_grants g join ledger.products p on p.id = g.product_id
      where g.company_id = company and p.code = i.value ->> 'productId'
    )
  loop
    issues := issues || jsonb_build_object('field', format('items[%s].productId', item.position),
      'reason', 'product_not_granted', 'values', jsonb_build_object('product', item.code));
  end loop;

  if purchase #>> '{additionalInfo,audienceSegment}' is not null and not exists (
    select 1 from ledger.lumen_audience_segments s
    where s.company_id = company and s.segment = purchase #>> '{additionalInfo,audienceSegment}'
  ) then
    issues := issues || jsonb_build_object('field', 'additionalInfo.audienceSegment',
      'reason', 'segment_not_agreed', 'values', jsonb_build_object('segment', purchase #>> '{additionalInfo,audienceSegment}'));
  end if;

  if jsonb_array_length(issues) > 0 then
    raise exception 'purchase does not fit the partnership'
      using errcode = 'PT400', hint = 'field_issues', detail = issues::text;
  end if;

  -- The customer: one per email address; the latest names win.
  insert into ledger.customers as c (company_id, email, first_name, last_name)
  values (company, purchase #>> '{customer,email}', purchase #>> '{customer,firstName}', purchase #>> '{customer,lastName}')
  on conflict (company_id, email_key) where user_key is null do update
    set first_name = excluded.first_name, last_name = excluded.last_name, updated_at = now()
  returning * into customer_row;

  insert into ledger.purchases as p (
    company_id, source, external_id, customer_id, requires_shipping,
    shipping_first_name, shipping_last_name, shipping_street, shipping_street2, shipping_city,
    shipping_state, shipping_zip, shipping_country_code, shipping_phone, attributes
  ) values (
    company, 'lumen', purchase ->> 'partnerPurchaseId', customer_row.id, lumen_fulfilled,
    case when shipping is not null then customer_row.first_name end,
    case when shipping is not null then customer_row.last_name end,
    shipping ->> 'address1', shipping ->> 'address2', shipping ->> 'city',
    shipping ->> 'state', shipping ->> 'zip', shipping ->> 'countryCode', shipping ->> 'phone',
    -- What was given, as given: only the members the request left out are dropped (a null
    -- inside the properties is the partner's own value and stays).
    (select coalesce(jsonb_object_agg(member.key, member.value), '{}')
     from jsonb_each(jsonb_build_object(
       'fulfillment', purchase -> 'fulfillment',
       'additionalInfo', purchase -> 'additionalInfo',
       'properties', purchase -> 'properties'
     )) as member
     where member.value is not null and member.value <> 'null'::jsonb)
  )
  on conflict (company_id, source, external_id) where external_id is not null do nothing
  returning * into created;
  if created.id is null then
    raise exception 'duplicate purchase' using errcode = 'PT409', hint = 'duplicate_purchase',
      detail = jsonb_build_object('partnerPurchaseId', purchase ->> 'partnerPurchaseId')::text;
  end if;

  insert into ledger.purchase_items (purchase_id, company_id, product_id, quantity, position)
  select created.id, company, p.id, (i.value ->> 'quantity')::integer, i.ordinality - 1
  from jsonb_array_elements(purchase -> 'items') with ordinality as i
  join ledger.products p on p.company_id = company and p.code = i.value ->> 'productId';

  -- spec: Lumen-fulfilled, Lumen ships the product; partner-fulfilled, Lumen registers the customer
  -- for account setup (once per customer).
  if lumen_fulfilled then
    insert into ledger.shipments (company_id, purchase_id) values (company, created.id);
  else
    insert into ledger.account_setups (company_id, customer_id) values (company, customer_row.id)
    on conflict (company_id, customer_id) do nothing;
  end if;

  return jsonb_build_object(
    'id', created.id,
    'number', created.number,
    'created_at', created.created_at,
    'rate_limit', jsonb_build_object('limit', partnership.rate_limit, 'window_seconds', partnership.rate_window_seconds)
  );
end;
$$;
comment on function public.lumen_create_purchase(jsonb) is 'Lumen POST /partners/v1/purchases: customer, purchase, items and shipment or account setup, in one transaction.';

-- The partnership's rate limit for the caller, for requests that stop before recording anything.
create or replace function public.lumen_rate_limit()
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  company uuid := private.require_caller();
begin
  return (
    select jsonb_build_object('limit', p.rate_limit, 'window_seconds', p.rate_window_seconds)
    from ledger.lumen_partnerships p where p.company_id = company
  );
end;
$$;
comment on function public.lumen_rate_limit() is 'The calling partner''s rate limit, or null without a partnership.';

revoke all on function public.lumen_create_purchase(jsonb) from public, anon, authenticated;
revoke all on function public.lumen_rate_limit() from public, anon, authenticated;
grant execute on function public.lumen_create_purchase(jsonb) to purchases_api;
grant execute on function public.lumen_rate_limit() to purchases_api;
