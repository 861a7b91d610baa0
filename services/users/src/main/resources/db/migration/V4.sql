-- How many of the user's orders were confirmed: kept by the saga's users consumer (order.confirmed
-- on orders.events), the example of an asynchronous side effect of an order.
alter table users add column order_count bigint not null default 0;
