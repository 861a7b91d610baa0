package io.million.users;

import io.million.testing.OperationalEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class UsersOperationalTest extends OperationalEndpointsContract {

    @Override
    protected String apiPath() {
        return "/v1/users";
    }
}
