package io.million.orders.api;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/orders}. */
public record PlaceOrderRequest(
        @NotNull @Positive Long userId,
        @NotEmpty @Size(max = PlaceOrderRequest.MAX_ITEMS) List<@Valid @NotNull Item> items) {

    /** An order is a basket, not a bulk import. */
    public static final int MAX_ITEMS = 50;

    public record Item(@NotNull @Positive Long productId, @NotNull @Min(1) @Max(1000) Integer quantity) {
    }
}
