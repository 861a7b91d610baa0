-- The transactional outbox, on every shard of a service that publishes events: a write and the
-- events it causes commit together; the relay (OutboxRelay) publishes unsent rows to Kafka in id
-- order and marks them sent. Sent rows are kept for million.outbox.retention, then purged.
create table outbox (
    id          bigserial    primary key,
    event_id    uuid         not null,
    topic       varchar(249) not null,
    event_key   varchar(255) not null,
    event_type  varchar(64)  not null,
    payload     text         not null,
    traceparent varchar(64),
    created_at  timestamptz  not null default now(),
    sent_at     timestamptz
);
create index outbox_unsent on outbox (id) where sent_at is null;
create index outbox_sent_at on outbox (sent_at) where sent_at is not null;

-- Events a consumer of this service has applied, written in the same transaction as the effect,
-- so a redelivered event changes nothing. Purged after million.outbox.processed-retention.
create table processed_events (
    consumer     varchar(64) not null,
    event_id     uuid        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_id)
);
create index processed_events_at on processed_events (processed_at);
