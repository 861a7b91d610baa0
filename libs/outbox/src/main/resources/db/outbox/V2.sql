-- Sent rows are deleted by the relay in the transaction that published them (sent = gone; Kafka
-- keeps the history): an update marking them sent cost a second write and a purge. Rows already
-- marked sent are dropped here, and the column with them.
delete from outbox where sent_at is not null;
alter table outbox drop column sent_at;
