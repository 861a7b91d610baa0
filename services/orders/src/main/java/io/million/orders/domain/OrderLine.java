package io.million.orders.domain;

import com.fasterxml.jackson.annotation.JsonFormat;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One line of an order: a product and how many of it. The product id is a string in JSON, as
 * the catalog renders it (shard-aware ids exceed JavaScript's 2^53); numbers are read too.
 */
@RegisterForReflection // JSON column and event payloads, read by Jackson outside REST
public record OrderLine(@JsonFormat(shape = JsonFormat.Shape.STRING) long productId, int quantity) {
}
