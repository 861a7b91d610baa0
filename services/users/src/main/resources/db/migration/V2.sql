-- Every sharded table carries its bucket, so a range of buckets can be copied, fenced and cleaned
-- up by the bucket mover (libs/sharding). Derived from the id, which embeds it; an email claim's
-- bucket is its user's (a user's home bucket is its email's bucket).
alter table users add column bucket smallint generated always as ((id >> 10) & 4095) stored;
create index users_bucket on users (bucket);
alter table user_emails add column bucket smallint generated always as ((user_id >> 10) & 4095) stored;
create index user_emails_bucket on user_emails (bucket);
