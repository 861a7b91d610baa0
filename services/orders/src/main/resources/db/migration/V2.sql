-- Every sharded table carries its bucket, so a range of buckets can be copied, fenced and cleaned
-- up by the bucket mover (libs/sharding). An order id embeds its user's bucket.
alter table orders add column bucket smallint generated always as ((id >> 10) & 4095) stored;
create index orders_bucket on orders (bucket);
