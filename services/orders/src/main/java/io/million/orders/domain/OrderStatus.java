package io.million.orders.domain;

/** PENDING until the catalog reserves (CONFIRMED) or refuses (REJECTED) the stock. */
public enum OrderStatus {
    PENDING, CONFIRMED, REJECTED
}
