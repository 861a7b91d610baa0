package io.million.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.million.client.api.OrdersApi;
import io.million.client.api.ProductsApi;
import io.million.client.api.UsersApi;
import io.million.client.model.CreateProductRequest;
import io.million.client.model.CreateUserRequest;
import io.million.client.model.OrderStatus;
import io.million.client.model.OrderView;
import io.million.client.model.PageProductView;
import io.million.client.model.PlaceOrderItem;
import io.million.client.model.PlaceOrderRequest;
import io.million.client.model.Problem;
import io.million.client.model.ProductView;
import io.million.client.model.UserView;
import io.million.testing.Tokens;

/**
 * The generated client (from services/openapi.json) against the running platform, through its entry
 * point, as a client team would use it: register, get a token, create products as an operator, place
 * an order and wait for the saga to confirm it, page a listing, and read a problem answer as the
 * {@code Problem} type. Run by {@code stack/million test} ({@code ./mvnw -pl clients/java verify -Pe2e}).
 * <p>
 * Million verifies tokens but does not issue them (that is the identity provider's job): the token
 * here is minted with the local stack's key, as {@code stack/million token} does.
 */
class ClientFlowIT {

    private static final String BASE = System.getProperty("million.e2e.base-url", "http://127.0.0.1:8080");
    private static final Duration SAGA = Duration.ofSeconds(60);

    private static ApiClient client(String authorization) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(BASE);
        client.setConnectTimeout(Duration.ofSeconds(5));
        client.setReadTimeout(Duration.ofSeconds(10));
        if (authorization != null) {
            client.setRequestInterceptor(request -> request.header("Authorization", authorization));
        }
        return client;
    }

    @Test
    void registerCreatePlaceConfirmAndPage() throws ApiException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        UserView user = new UsersApi(client(null))
                .createUser(new CreateUserRequest().email("client-" + run + "@example.com").name("Client " + run));
        assertNotNull(user.getId());

        ApiClient asUser = client(Tokens.user(user.getId()));
        assertEquals(user.getEmail(), new UsersApi(asUser).getUser(user.getId(), null, null).getEmail());

        ProductsApi operator = new ProductsApi(client(Tokens.operator()));
        String category = "client-" + run;
        List<ProductView> products = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            products.add(operator.createProduct(new CreateProductRequest().sku("CLIENT-" + run + "-" + i)
                    .name("Client product " + i).category(category).priceCents(100L + i).currency("EUR").stock(10)));
        }

        OrderView placed = new OrdersApi(asUser).placeOrder("client-" + run, new PlaceOrderRequest().userId(user.getId())
                .items(List.of(new PlaceOrderItem().productId(Long.parseLong(products.get(0).getId())).quantity(2))));
        assertEquals(user.getId(), placed.getUserId());
        AtomicReference<OrderView> latest = new AtomicReference<>(placed);
        Awaitility.await().atMost(SAGA).pollInterval(Duration.ofMillis(250)).until(() -> {
            latest.set(new OrdersApi(asUser).getOrder(placed.getId(), null));
            return latest.get().getStatus() != OrderStatus.PENDING;
        });
        assertEquals(OrderStatus.CONFIRMED, latest.get().getStatus(), "reject reason: " + latest.get().getRejectReason());
        assertEquals(8, new ProductsApi(client(null)).getProductStock(products.get(0).getId(), null).getAvailable());

        // Pages of 2 through the category's 5 products: each once, in id order, then no next.
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            PageProductView page = new ProductsApi(client(null)).listProductsByCategory(category, cursor, 2, null);
            assertTrue(page.getItems().size() <= 2);
            page.getItems().forEach(product -> assertTrue(seen.add(product.getId()), "twice: " + product.getId()));
            cursor = page.getNext();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(products.stream().map(ProductView::getId).collect(java.util.stream.Collectors.toSet()), seen);
        assertEquals(3, pages);

        // A DELETE through the generated client (it sends Accept: application/problem+json), then the user is gone.
        new UsersApi(asUser).deleteUser(user.getId(), null);
        ApiException gone = assertThrows(ApiException.class,
                () -> new UsersApi(client(Tokens.operator())).getUser(user.getId(), null, null));
        assertEquals(404, gone.getCode());
    }

    @Test
    void problemsDecodeIntoTheProblemType() throws JsonProcessingException {
        ApiClient anonymous = client(null);
        ApiException missing = assertThrows(ApiException.class,
                () -> new ProductsApi(anonymous).getProduct("1", null, null));
        Problem notFound = problem(anonymous, missing);
        assertEquals(404, missing.getCode());
        assertEquals(404, notFound.getStatus());
        assertNotNull(notFound.getTitle());
        assertTrue(notFound.getErrors() == null || notFound.getErrors().isEmpty(), "errors[] only for invalid input");

        ApiException invalid = assertThrows(ApiException.class, () -> new UsersApi(anonymous)
                .createUser(new CreateUserRequest().email("not an email").name("x")));
        Problem badInput = problem(anonymous, invalid);
        assertEquals(400, badInput.getStatus());
        assertEquals("email", badInput.getErrors().get(0).getField());

        ApiException unauthenticated = assertThrows(ApiException.class,
                () -> new OrdersApi(anonymous).getOrder("1", null));
        assertEquals(401, problem(anonymous, unauthenticated).getStatus());
    }

    private static Problem problem(ApiClient client, ApiException error) throws JsonProcessingException {
        assertEquals("application/problem+json",
                error.getResponseHeaders().firstValue("Content-Type").orElse("").split(";")[0]);
        return client.getObjectMapper().readValue(error.getResponseBody(), Problem.class);
    }
}
