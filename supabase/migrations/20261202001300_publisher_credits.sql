-- Group Commerce consumer credits: the rules a publisher awards credits by, the credits consumers
-- earned (and what is left of them), and which credits paid for which order. Orders spend and
-- award them through a trigger (publisher orders).
--
-- Rules written down here because the reference leaves them open:
-- * Credits are spent after promo codes, oldest first, up to the order's value, and only in the
--   order's currency; never on an off-platform purchase.
-- * Credit rules award credits on every order: "for next purchase" credits can be spent from the
--   consumer's next purchase on; "after next purchase" credits wait until the consumer has made one
--   more purchase. A percent rule is a percentage of the order's value after promo codes. Referrer
--   rules credit the consumer named by ReferredByUserKey, once: on the order that creates the
--   referred consumer, when the referrer is a known consumer of the publisher.

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.credit_rules (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  trigger_type text not null check (trigger_type in ('for_next_purchase', 'after_next_purchase')),
  beneficiary text not null check (beneficiary in ('consumer', 'referrer')),
  amount_type text not null check (amount_type in ('money', 'percent')),
  amount numeric(14, 2) not null check (amount > 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint credit_rules_percent_at_most_100 check (amount_type <> 'percent' or amount <= 100)
);
comment on table ledger.credit_rules is 'Credits a publisher awards on each order, to the consumer or to the referrer.';
create index if not exists credit_rules_company on ledger.credit_rules (company_id) where active;

create table if not exists ledger.consumer_credits (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  customer_id uuid not null references ledger.customers (id) on delete cascade,
  rule_id uuid references ledger.credit_rules (id) on delete restrict,
  earned_by uuid references ledger.purchases (id) on delete cascade,
  amount numeric(14, 2) not null check (amount > 0),
  remaining numeric(14, 2) not null check (remaining >= 0 and remaining <= amount),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  -- pending: waits for the consumer's next purchase; available: can be spent.
  status text not null check (status in ('pending', 'available')),
  available_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table ledger.consumer_credits is 'Credits a consumer earned, and what is left of them.';
create index if not exists consumer_credits_spendable on ledger.consumer_credits (customer_id, currency, available_at)
  where status = 'available' and remaining > 0;
create index if not exists consumer_credits_pending on ledger.consumer_credits (customer_id) where status = 'pending';
create index if not exists consumer_credits_earned_by on ledger.consumer_credits (earned_by);

create table if not exists ledger.credit_spends (
  purchase_id uuid not null references ledger.purchases (id) on delete cascade,
  credit_id uuid not null references ledger.consumer_credits (id) on delete cascade,
  company_id uuid not null references ledger.companies (id) on delete cascade,
  amount numeric(14, 2) not null check (amount > 0),
  primary key (purchase_id, credit_id)
);
comment on table ledger.credit_spends is 'Which credits paid for which order, and how much of each.';
create index if not exists credit_spends_credit on ledger.credit_spends (credit_id);

-- ============================================================================================
-- Row-level security: credits and their spends are written only by the order trigger
-- ============================================================================================

alter table ledger.credit_rules enable row level security;
alter table ledger.consumer_credits enable row level security;
alter table ledger.credit_spends enable row level security;
grant select on ledger.credit_rules, ledger.consumer_credits, ledger.credit_spends to purchases_api;

drop policy if exists "Credit rules are visible to their company" on ledger.credit_rules;
create policy "Credit rules are visible to their company" on ledger.credit_rules
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Consumer credits are visible to their company" on ledger.consumer_credits;
create policy "Consumer credits are visible to their company" on ledger.consumer_credits
  for select to purchases_api using (company_id = (select private.caller_company_id()));
drop policy if exists "Credit spends are visible to their company" on ledger.credit_spends;
create policy "Credit spends are visible to their company" on ledger.credit_spends
  for select to purchases_api using (company_id = (select private.caller_company_id()));

-- ============================================================================================
-- Awards
-- ============================================================================================

-- What the company's active credit rules award for an order of `order_value`; referrer rules only
-- when the order has a referrer. Shared by the quote (pendingCreditValueAwarded) and the trigger.
create or replace function private.gc_credit_awards(company uuid, order_value numeric, with_referrer boolean)
returns table (rule_id uuid, beneficiary text, trigger_type text, amount numeric)
language sql
stable
set search_path = ''
as $$
  select a.rule_id, a.beneficiary, a.trigger_type, a.amount
  from (
    select r.id as rule_id, r.beneficiary, r.trigger_type,
           case r.amount_type when 'money' then r.amount else round(order_value * r.amount / 100, 2) end as amount,
           r.created_at
    from ledger.credit_rules r
    where r.company_id = company and r.active and (r.beneficiary = 'consumer' or with_referrer)
  ) a
  where a.amount > 0
  order by a.created_at;
$$;
revoke all on function private.gc_credit_awards(uuid, numeric, boolean) from public;
grant execute on function private.gc_credit_awards(uuid, numeric, boolean) to purchases_api;
