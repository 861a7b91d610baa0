-- pgbench's equivalent of POST /v1/orders: the order row and its outbox row in one transaction,
-- with the same columns, sizes and indexes (schema copied from an orders shard).
\set id random(1, 9000000000000000000)
\set uid random(1, 2000000000)
BEGIN;
INSERT INTO orders (id, user_id, status, lines, stock_reserved, user_known, reject_reason, idempotency_key,
    request_hash, created_at, updated_at, version)
  VALUES (:id, :uid, 'PENDING', '{"items":[{"productId":"118240606461682905","quantity":1}]}', false, false,
    null, 'pgbench-' || :id, 'a3f1c2d4e5b6a7980a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071', now(), now(), 0);
INSERT INTO outbox (event_id, topic, event_key, event_type, payload, traceparent)
  VALUES (gen_random_uuid(), 'orders.events', :id, 'order.placed',
    '{"orderId":"' || :id || '","userId":"' || :uid || '","items":[{"productId":"118240606461682905","quantity":1}],"at":"2026-11-23T06:45:58.384626642Z"}',
    null);
END;
