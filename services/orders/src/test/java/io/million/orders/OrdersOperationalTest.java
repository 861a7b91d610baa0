package io.million.orders;

import io.million.testing.OperationalEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OrdersOperationalTest extends OperationalEndpointsContract {

    @Override
    protected String apiPath() {
        return "/v1/orders";
    }
}
