package io.million.orders.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/orders}. {@code userId} is a user id as the users API returns it (a string). */
public record PlaceOrderRequest(
        @NotNull @Pattern(regexp = "[1-9][0-9]{0,18}", message = "must be a user id") String userId,
        @NotEmpty @Size(max = PlaceOrderRequest.MAX_ITEMS) List<@Valid @NotNull Item> items) {

    /** An order is a basket, not a bulk import. */
    public static final int MAX_ITEMS = 50;

    /**
     * A digest of what this request asks for, independent of JSON formatting: a repeated
     * Idempotency-Key must come with the same fingerprint.
     */
    public String fingerprint() {
        StringBuilder text = new StringBuilder(userId);
        for (Item item : items) {
            text.append('|').append(item.productId()).append('x').append(item.quantity());
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Schema(name = "PlaceOrderItem", description = "One line of an order: a product and how many of it")
    public record Item(@NotNull @Positive Long productId, @NotNull @Min(1) @Max(1000) Integer quantity) {
    }
}
