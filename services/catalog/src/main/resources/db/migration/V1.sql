-- products, on every shard. A product's id carries the bucket of its sku's hash, so a sku always
-- lives on one shard and this shard-local unique index makes skus unique across all shards.
create table products (
    id          bigint        primary key,
    sku         varchar(64)   not null,
    name        varchar(200)  not null,
    description varchar(4000),
    category    varchar(64)   not null,
    price_cents bigint        not null,
    currency    varchar(3)    not null,
    created_at  timestamptz   not null,
    updated_at  timestamptz   not null,
    version     bigint        not null,
    bucket      smallint      generated always as ((id >> 10) & 4095) stored
);
create unique index products_sku_key on products (sku);
create index products_category_id on products (category, id);
create index products_bucket on products (bucket);

-- Stock apart from the product: it changes all the time, the product hardly ever.
create table product_stock (
    product_id bigint   primary key,
    available  integer  not null,
    reserved   integer  not null,
    version    bigint   not null,
    bucket     smallint generated always as ((product_id >> 10) & 4095) stored
);
create index product_stock_bucket on product_stock (bucket);
