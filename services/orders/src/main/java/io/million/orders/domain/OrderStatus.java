package io.million.orders.domain;

/** PENDING until the catalog reserved the stock and the user is known (CONFIRMED), or either said no (REJECTED). */
public enum OrderStatus {
    PENDING, CONFIRMED, REJECTED
}
