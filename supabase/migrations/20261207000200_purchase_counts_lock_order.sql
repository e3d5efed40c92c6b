-- The per-status purchase counters (purchase_counts, sharded so concurrent writes rarely meet)
-- were changed on every update that named `status`, even to the same value, and a change took the
-- old status's row and then the new one's: two concurrent reactivations could each hold the row
-- the other wanted next (a deadlock, answered 500). Now an update counts only when the status
-- really changes, and takes its two rows in one order (by status), so no two transactions wait on
-- each other in a cycle.

create or replace function private.count_purchases()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  chosen_shard smallint := floor(random() * 16)::smallint;
  change record;
begin
  if tg_op = 'INSERT' then
    insert into ledger.purchase_counts as k (company_id, status, shard, n)
    values (new.company_id, new.status, chosen_shard, 1)
    on conflict (company_id, status, shard) do update set n = k.n + 1;
  elsif tg_op = 'DELETE' then
    insert into ledger.purchase_counts as k (company_id, status, shard, n)
    values (old.company_id, old.status, chosen_shard, -1)
    on conflict (company_id, status, shard) do update set n = k.n - 1;
  else
    for change in
      select v.status, v.delta from (values (old.status, -1), (new.status, 1)) as v (status, delta) order by v.status
    loop
      insert into ledger.purchase_counts as k (company_id, status, shard, n)
      values (new.company_id, change.status, chosen_shard, change.delta)
      on conflict (company_id, status, shard) do update set n = k.n + excluded.n;
    end loop;
  end if;
  return null;
end;
$$;
revoke all on function private.count_purchases() from public;

drop trigger if exists purchases_count on ledger.purchases;
create trigger purchases_count
  after insert or delete on ledger.purchases
  for each row execute function private.count_purchases();

drop trigger if exists purchases_count_status_change on ledger.purchases;
create trigger purchases_count_status_change
  after update of status on ledger.purchases
  for each row when (old.status is distinct from new.status)
  execute function private.count_purchases();
