-- The saga's answers, and idempotent placement.
-- stock_reserved / user_known: what the catalog and the users service have said so far; the order
-- is CONFIRMED when both have said yes, REJECTED (with reject_reason) at the first no.
-- idempotency_key + request_hash: a client's Idempotency-Key for this user and a hash of the body
-- it came with, so a retried POST finds its order instead of placing a second one.
alter table orders
    add column stock_reserved  boolean     not null default false,
    add column user_known      boolean     not null default false,
    add column reject_reason   varchar(32),
    add column idempotency_key varchar(255),
    add column request_hash    varchar(64);
create unique index orders_user_idempotency_key on orders (user_id, idempotency_key);
