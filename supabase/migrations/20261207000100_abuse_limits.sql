-- Closing what an attack on the running platform found: credentials that say whether they carry
-- the platform's tag, a per-company bound on the mail anyone with a key can cause, and checks the
-- database makes itself even where a worker already checked (defence in depth).

-- ============================================================================================
-- Credentials: tagged or not
-- ============================================================================================

-- A tagged credential (shared/auth/key-tag.ts) is refused for free by the workers when made up,
-- and let through from an address that made-up keys got blocked. The digest alone cannot say
-- whether a bearer secret is tagged, so the admin CLI records it when it issues one; `admin
-- credential rotate` replaces the untagged ones.
alter table ledger.credentials add column if not exists tagged boolean not null default false;
comment on column ledger.credentials.tagged is 'Whether the secret (or OAuth consumer key) carries the platform''s tag.';

-- ============================================================================================
-- Mail: a quota per company and hour; over it, mail is held until an operator releases it
-- ============================================================================================

-- Anyone with a key can make the platform mail an address they name (DPD's customer_email, a
-- publisher order's gift recipients). Over its quota, a company's further mail of the hour is
-- kept as `held`: never sent until `admin outbox release`, while the API's answer is unchanged.
alter table ledger.companies
  add column if not exists mail_quota_per_hour integer not null default 500 check (mail_quota_per_hour between 0 and 1000000);
comment on column ledger.companies.mail_quota_per_hour is 'Emails an hour the company''s requests may send; past it they are held.';

alter table ledger.email_outbox drop constraint if exists email_outbox_state_check;
alter table ledger.email_outbox
  add constraint email_outbox_state_check check (state in ('pending', 'delivered', 'dead', 'held'));
comment on column ledger.email_outbox.state is 'pending, delivered, dead, or held (over the company''s hourly quota: sent only once released).';

-- The quota counts the company's mail of the last hour: one range scan of this index.
create index if not exists email_outbox_company_created on ledger.email_outbox (company_id, created_at);

create or replace function private.hold_over_quota()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  quota integer;
  sent integer;
begin
  select c.mail_quota_per_hour into quota from ledger.companies c where c.id = new.company_id;
  select count(*) into sent from ledger.email_outbox o
  where o.company_id = new.company_id and o.created_at > now() - interval '1 hour' and o.state <> 'held';
  if sent >= quota then
    new.state := 'held';
    -- Read by announce_outbox: the answer tells the worker, which logs it.
    perform set_config('purchases.mail_held', 'true', true);
  end if;
  return new;
end;
$$;
revoke all on function private.hold_over_quota() from public;
grant execute on function private.hold_over_quota() to purchases_api;

-- After email_outbox_compose (triggers of one timing fire in name order).
drop trigger if exists email_outbox_quota on ledger.email_outbox;
create trigger email_outbox_quota
  before insert on ledger.email_outbox
  for each row when (new.state = 'pending')
  execute function private.hold_over_quota();

-- The answer of a request that wrote mail says so (X-Outbox); held mail adds X-Outbox-Held.
create or replace function private.announce_outbox()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(current_setting('purchases.mail_held', true), '') = 'true' then
    perform set_config('response.headers', '[{"X-Outbox": "1"}, {"X-Outbox-Held": "1"}]', true);
  else
    perform set_config('response.headers', '[{"X-Outbox": "1"}]', true);
  end if;
  return null;
end;
$$;

-- ============================================================================================
-- Defence in depth
-- ============================================================================================

-- The caller is resolved only from tokens the workers made for it: their audience says so. A token
-- signed with the same secret for anything else (the project's own users) names no company.
create or replace function private.caller_company_id()
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select c.company_id
  from ledger.credentials c
  where (select private.request_claims() ->> 'aud') = 'purchases-workers'
    and c.kind = (select private.request_claims() ->> 'cred_kind')
    and c.key_id = (select private.request_claims() ->> 'cred_id')
    and c.secret_digest = (select private.request_claims() ->> 'cred_digest')
    and c.revoked_at is null;
$$;

-- A purchase names only a lead the company may see and a storefront of its own.
drop policy if exists "Companies record their own purchases against accessible leads" on ledger.purchases;
create policy "Companies record their own purchases against accessible leads" on ledger.purchases
  for insert to purchases_api
  with check (
    company_id = (select private.caller_company_id())
    and (channel_id is null or channel_id = any ((select private.accessible_channel_ids())::uuid[]))
    and (customer_id is null or exists (select 1 from ledger.customers c where c.id = customer_id))
    and (lead_id is null or exists (select 1 from ledger.leads l where l.id = lead_id))
    and (storefront_id is null or exists (select 1 from ledger.storefronts s where s.id = storefront_id))
  );

-- A correction may not move a purchase to another company's lead or storefront either.
drop policy if exists "Companies correct their own purchases" on ledger.purchases;
create policy "Companies correct their own purchases" on ledger.purchases
  for update to purchases_api
  using (company_id = (select private.caller_company_id()))
  with check (
    company_id = (select private.caller_company_id())
    and (lead_id is null or exists (select 1 from ledger.leads l where l.id = lead_id))
    and (storefront_id is null or exists (select 1 from ledger.storefronts s where s.id = storefront_id))
  );

-- An email's content is read with the owner's rights (it joins tables the workers cannot read
-- whole): it is composed only for a purchase of the calling company, whoever asks (null otherwise,
-- which compose_email refuses).
create or replace function private.email_content(template text, purchase_id uuid, to_address text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when template in ('purchase_reactivated', 'purchase_refulfilled') then (
      select jsonb_build_object(
        'purchase', jsonb_build_object('number', p.number, 'purchased_at', p.purchased_at, 'salt', p.salt,
          'buyer', nullif(concat_ws(' ', c.first_name, c.last_name), '')),
        'refulfilled', template = 'purchase_refulfilled',
        'items', coalesce((select jsonb_agg(jsonb_build_object(
            'number', i.number, 'name', coalesce(i.name, pr.name), 'quantity', i.quantity,
            'download_limit', i.download_limit, 'expires_at', i.expires_at, 'keys', to_jsonb(i.product_keys)
          ) order by i.position)
          from ledger.purchase_items i join ledger.products pr on pr.id = i.product_id where i.purchase_id = p.id), '[]'))
      from ledger.purchases p left join ledger.customers c on c.id = p.customer_id
      where p.id = email_content.purchase_id and p.company_id = (select private.caller_company_id()))
    when template = 'publisher_order_confirmation' then (
      select jsonb_build_object(
        'order', jsonb_build_object('number', p.number, 'purchased_at', p.purchased_at, 'currency', p.currency,
          'subtotal', private.money_text(o.subtotal), 'discount', private.money_text(o.discount),
          'credit_value_used', private.money_text(o.credit_value_used), 'charged', private.money_text(o.charge_amount),
          'credits_awarded', private.money_text(private.credits_awarded(p.id, o.customer_id))),
        'consumer', nullif(concat_ws(' ', c.first_name, c.last_name), ''),
        'items', coalesce((select jsonb_agg(jsonb_build_object(
            'name', concat_ws(': ', f.name, op.name), 'quantity', i.quantity,
            'unit_price', private.money_text(i.unit_price), 'amount', private.money_text(i.unit_price * i.quantity),
            'gift_to', case when d.is_gift then nullif(concat_ws(' ', d.recipient_first_name, d.recipient_last_name), '') end
          ) order by i.position)
          from ledger.purchase_items i
          join ledger.publisher_order_details d on d.purchase_item_id = i.id
          join ledger.offer_options op on op.id = d.offer_option_id
          join ledger.offers f on f.id = op.offer_id
          where i.purchase_id = p.id), '[]'))
      from ledger.purchases p
      join ledger.publisher_orders o on o.purchase_id = p.id
      join ledger.customers c on c.id = o.customer_id
      where p.id = email_content.purchase_id and p.company_id = (select private.caller_company_id()))
    when template = 'publisher_gift_notification' then (
      select jsonb_build_object(
        'order', jsonb_build_object('number', p.number, 'purchased_at', p.purchased_at),
        'from', nullif(concat_ws(' ', c.first_name, c.last_name), ''),
        'gifts', coalesce((select jsonb_agg(jsonb_build_object(
            'name', concat_ws(': ', f.name, op.name), 'quantity', i.quantity,
            'recipient', nullif(concat_ws(' ', d.recipient_first_name, d.recipient_last_name), ''),
            'gift_message', d.gift_message
          ) order by i.position)
          from ledger.purchase_items i
          join ledger.publisher_order_details d on d.purchase_item_id = i.id
          join ledger.offer_options op on op.id = d.offer_option_id
          join ledger.offers f on f.id = op.offer_id
          where i.purchase_id = p.id and d.is_gift and lower(d.recipient_email) = lower(to_address)), '[]'))
      from ledger.purchases p left join ledger.customers c on c.id = p.customer_id
      where p.id = email_content.purchase_id and p.company_id = (select private.caller_company_id()))
  end
$$;
revoke all on function private.email_content(text, uuid, text) from public;
grant execute on function private.email_content(text, uuid, text) to purchases_api;
