-- orders, on every shard. An order lives on the shard of its user's key (a user's orders stay
-- together, so "my orders" reads one shard) and its id carries that bucket, so a lookup by id
-- routes there too.
create table orders (
    id         bigint      primary key,
    user_id    bigint      not null,
    status     varchar(16) not null,
    lines      jsonb       not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version    bigint      not null
);

create index orders_user_newest_first on orders (user_id, id desc);
