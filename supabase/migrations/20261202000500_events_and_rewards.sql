-- What a purchase sets off: a purchase event, and a reward event for each active purchase trigger
-- of the lead's channel. Events are computed by a trigger in the transaction that records the
-- purchase.
--
-- Rounding rule (the one place it is written): a percentage reward is
--   round(purchase amount * percentage / 100, 2)
-- that is, rounded to the cent, halves away from zero (Postgres numeric round()).

-- ============================================================================================
-- Tables
-- ============================================================================================

create table if not exists ledger.purchase_events (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  purchase_id uuid not null unique references ledger.purchases (id) on delete cascade,
  lead_id uuid references ledger.leads (id) on delete restrict,
  amount numeric(14, 2),
  currency text not null,
  created_at timestamptz not null default now()
);
comment on table ledger.purchase_events is 'One per purchase: the record that a purchase of this amount happened.';

create table if not exists ledger.reward_triggers (
  id uuid primary key default gen_random_uuid(),
  channel_id uuid not null references ledger.channels (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  event_type text not null default 'purchase' check (event_type in ('purchase')),
  reward_type text not null check (reward_type in ('fixed', 'percentage')),
  -- fixed: the reward in the channel's currency; percentage: the percent of the purchase amount.
  value numeric(14, 4) not null check (value >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  constraint reward_triggers_percentage_at_most_100 check (reward_type <> 'percentage' or value <= 100),
  constraint reward_triggers_fixed_in_cents check (reward_type <> 'fixed' or value = round(value, 2))
);
comment on table ledger.reward_triggers is 'Rewards a channel pays for events: a fixed amount, or a percentage of the purchase amount.';
create index if not exists reward_triggers_channel on ledger.reward_triggers (channel_id) where active;

create table if not exists ledger.reward_events (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references ledger.companies (id) on delete cascade,
  purchase_id uuid not null references ledger.purchases (id) on delete cascade,
  trigger_id uuid not null references ledger.reward_triggers (id) on delete restrict,
  lead_id uuid references ledger.leads (id) on delete restrict,
  reward_type text not null,
  amount numeric(14, 2) not null,
  currency text not null,
  created_at timestamptz not null default now(),
  unique (purchase_id, trigger_id)
);
comment on table ledger.reward_events is 'A reward earned by a purchase under one trigger, computed when the purchase was recorded.';
create index if not exists reward_events_company_created on ledger.reward_events (company_id, created_at desc, id desc);
create index if not exists reward_events_lead on ledger.reward_events (lead_id) where lead_id is not null;

-- ============================================================================================
-- Trigger: events and rewards of a purchase, in its own transaction
-- ============================================================================================

-- Runs as the table owner: events are computed by the database, never written by a worker.
create or replace function private.record_purchase_events()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.lead_id is null then
    return null;
  end if;
  insert into ledger.purchase_events (company_id, purchase_id, lead_id, amount, currency)
  values (new.company_id, new.id, new.lead_id, new.total, new.currency);

  -- spec: fixed rewards use the trigger's amount; percentage rewards are computed from the
  -- purchase amount (none when the purchase has no amount).
  insert into ledger.reward_events (company_id, purchase_id, trigger_id, lead_id, reward_type, amount, currency)
  select new.company_id, new.id, t.id, new.lead_id, t.reward_type,
         case t.reward_type
           when 'fixed' then t.value
           else round(new.total * t.value / 100, 2)
         end,
         new.currency
  from ledger.reward_triggers t
  where t.channel_id = new.channel_id
    and t.active
    and t.event_type = 'purchase'
    and (t.reward_type = 'fixed' or new.total is not null);
  return null;
end;
$$;
comment on function private.record_purchase_events() is
  'After a purchase against a lead: its purchase event and one reward event per active purchase trigger of the channel.';
revoke all on function private.record_purchase_events() from public;

drop trigger if exists purchases_record_events on ledger.purchases;
create trigger purchases_record_events
  after insert on ledger.purchases
  for each row execute function private.record_purchase_events();

-- ============================================================================================
-- Row-level security
-- ============================================================================================

alter table ledger.purchase_events enable row level security;
alter table ledger.reward_triggers enable row level security;
alter table ledger.reward_events enable row level security;

grant select on ledger.purchase_events, ledger.reward_triggers, ledger.reward_events to purchases_api;

drop policy if exists "Purchase events are visible to their company" on ledger.purchase_events;
create policy "Purchase events are visible to their company" on ledger.purchase_events
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));

drop policy if exists "Reward triggers are visible to companies with access to the channel" on ledger.reward_triggers;
create policy "Reward triggers are visible to companies with access to the channel" on ledger.reward_triggers
  for select to purchases_api
  using (channel_id = any ((select private.accessible_channel_ids())::uuid[]));

drop policy if exists "Reward events are visible to their company" on ledger.reward_events;
create policy "Reward events are visible to their company" on ledger.reward_events
  for select to purchases_api
  using (company_id = (select private.caller_company_id()));
