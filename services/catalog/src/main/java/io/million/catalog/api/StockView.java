package io.million.catalog.api;

import io.million.catalog.domain.ProductStock;

/** What clients see of a product's stock. */
public record StockView(String productId, int available, int reserved) {

    public static StockView of(ProductStock stock) {
        return new StockView(Long.toString(stock.productId), stock.available, stock.reserved);
    }
}
