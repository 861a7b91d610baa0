-- A user's id carries its email's bucket, so an email always lives on one shard: a shard-local
-- unique index makes emails unique everywhere. The separate claim table only repeated the email.
create unique index users_email_key on users (email);
drop table user_emails;
