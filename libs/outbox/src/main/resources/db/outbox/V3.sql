-- A processed event id lives in the bucket of the entity its effect changed (the key it was routed
-- by), so the bucket mover (libs/sharding) moves it with that entity and a redelivery after a move
-- is still recognised on the new shard. Ids recorded before this migration have none and stay
-- where they are until purged (million.outbox.processed-retention).
alter table processed_events add column bucket smallint;
create index processed_events_bucket on processed_events (bucket);
