package io.million.catalog;

import io.million.testing.OperationalEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class CatalogOperationalTest extends OperationalEndpointsContract {

    @Override
    protected String apiPath() {
        return "/v1/products";
    }
}
