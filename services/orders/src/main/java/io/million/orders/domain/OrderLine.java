package io.million.orders.domain;

/** One line of an order: a product and how many of it. */
public record OrderLine(long productId, int quantity) {
}
