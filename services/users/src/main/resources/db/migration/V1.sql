-- users, on every shard. A user's id carries the bucket of its email's hash, so the user row and
-- its email claim live on the same shard and commit in one transaction: no orphan, no duplicate.
create table users (
    id         bigint       primary key,
    email      varchar(254) not null,
    name       varchar(100) not null,
    created_at timestamptz  not null,
    updated_at timestamptz  not null,
    version    bigint       not null
);

-- One row per email in use, on the shard its hash routes to: uniqueness across all shards is
-- this primary key on one shard, with no scan of the others.
create table user_emails (
    email   varchar(254) primary key,
    user_id bigint       not null unique
);
