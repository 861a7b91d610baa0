-- Stock held for orders (the saga): one row per order and product, on the product's shard. A hold
-- is taken with the stock decrement in one transaction and released (stock given back) when the
-- order is rejected, so a reservation is never half-applied on a shard.
create table stock_holds (
    order_id   bigint      not null,
    product_id bigint      not null,
    quantity   integer     not null,
    created_at timestamptz not null default now(),
    bucket     smallint    generated always as ((product_id >> 10) & 4095) stored,
    primary key (order_id, product_id)
);
create index stock_holds_bucket on stock_holds (bucket);

-- Whatever the code does, stock never goes negative.
alter table product_stock add constraint product_stock_never_negative check (available >= 0 and reserved >= 0);
