package io.million.web.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

class ClientAddressTest {

    private final ClientAddress addresses = new ClientAddress(List.of("127.0.0.0/8", "::1/128", "10.1.0.0/16",
            "192.168.7.9"));

    @Test
    void anUntrustedPeerIsTheClientWhateverItForwards() {
        assertEquals("203.0.113.5", addresses.of(request("203.0.113.5", "198.51.100.1")));
        assertEquals("10.2.0.1", addresses.of(request("10.2.0.1", "198.51.100.1")));
    }

    @Test
    void aTrustedPeerIsBelievedAndTrustedHopsAreSkippedFromTheRight() {
        assertEquals("198.51.100.1", addresses.of(request("127.0.0.1", "198.51.100.1")));
        assertEquals("198.51.100.1", addresses.of(request("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.4.4")));
        assertEquals("198.51.100.1", addresses.of(request("10.1.0.3", "198.51.100.1", "192.168.7.9")));
        assertEquals("2001:db8::7", addresses.of(request("::1", "2001:db8:0:0:0:0:0:7")));
    }

    @Test
    void withoutForwardingOrOnlyTrustedHopsTheLastTrustedHopIsTheClient() {
        assertEquals("127.0.0.1", addresses.of(request("127.0.0.1")));
        assertEquals("10.1.9.9", addresses.of(request("127.0.0.1", "10.1.9.9")));
    }

    @Test
    void aMalformedEntryEndsTheWalkAndNothingIsResolved() {
        assertEquals("127.0.0.1", addresses.of(request("127.0.0.1", "localhost")));
        assertEquals("10.1.2.3", addresses.of(request("127.0.0.1", "198.51.100.1, evil.example, 10.1.2.3")));
        assertEquals("127.0.0.1", addresses.of(request("127.0.0.1", "198.51.100.1:443")));
        assertEquals("127.0.0.1", addresses.of(request("127.0.0.1", "")));
    }

    @Test
    void rangesAndPrefixes() {
        assertTrue(addresses.isTrusted("10.1.255.255"));
        assertFalse(addresses.isTrusted("10.0.255.255"));
        assertTrue(addresses.isTrusted("192.168.7.9"));
        assertFalse(addresses.isTrusted("192.168.7.10"));
        assertTrue(addresses.isTrusted("::ffff:127.0.0.1"));
        assertFalse(addresses.isTrusted("::2"));
        ClientAddress odd = new ClientAddress(List.of("10.128.0.0/9"));
        assertTrue(odd.isTrusted("10.200.0.1"));
        assertFalse(odd.isTrusted("10.127.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("proxy.example")));
        assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("10.0.0.0/33")));
    }

    private static HttpServerRequest request(String peer, String... forwardedFor) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String value : forwardedFor) {
            headers.add("X-Forwarded-For", value);
        }
        SocketAddress address = SocketAddress.inetSocketAddress(40000, peer);
        return (HttpServerRequest) Proxy.newProxyInstance(ClientAddressTest.class.getClassLoader(),
                new Class<?>[] { HttpServerRequest.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "remoteAddress" -> address;
                    case "headers" -> headers;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
