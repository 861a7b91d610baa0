package io.million.catalog.service;

/**
 * Surrogate keys of the catalog's edge-cached answers ({@code Surrogate-Key}, purged through
 * libs/cache EdgePurger): {@code product-<id>} for a product, {@code category-<name>} for the
 * listings of a category. A name that is not plain letters, digits, '-' and '_' (keys are
 * space-separated tokens) is replaced by its hash; a collision only purges a little more.
 */
public final class SurrogateKeys {

    private SurrogateKeys() {
    }

    public static String product(long id) {
        return "product-" + id;
    }

    public static String category(String category) {
        boolean plain = !category.isEmpty() && category.length() <= 64 && category.chars()
                .allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_'));
        return "category-" + (plain ? category : "h" + Integer.toHexString(category.hashCode()));
    }
}
