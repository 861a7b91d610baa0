-- The deadline sweeper (OrderDeadlines) finds PENDING orders past their deadline, oldest first:
-- a partial index holds only the few orders in flight.
create index orders_pending_created on orders (created_at) where status = 'PENDING';
