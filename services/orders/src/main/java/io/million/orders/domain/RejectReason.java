package io.million.orders.domain;

/** Why an order ended REJECTED; clients see it as {@code rejectReason}. */
public enum RejectReason {
    /** A product has less available stock than the order asks for. */
    OUT_OF_STOCK,
    /** A product does not exist in the catalog. */
    UNKNOWN_PRODUCT,
    /** The ordering user does not exist. */
    UNKNOWN_USER,
    /** No final answer came within the deadline ({@code million.orders.deadline}); held stock is given back. */
    TIMEOUT;

    /** The reason named by another service's event; anything unknown counts as out of stock. */
    public static RejectReason of(String name) {
        for (RejectReason reason : values()) {
            if (reason.name().equals(name)) {
                return reason;
            }
        }
        return OUT_OF_STOCK;
    }
}
