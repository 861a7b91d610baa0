package io.million.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.million.web.problem.Problem;
import io.million.web.problem.ProblemMappers;

/** A prepared problem (load shedding's 503) writes exactly the bytes the general path writes. */
class PreparedProblemTest {

    final ProblemMappers mappers = new ProblemMappers(new ObjectMapper());
    final Problem problem = Problem.of(503, "Service Unavailable", "At the limit; retry shortly");

    @Test
    void theBodyIsTheOneSendWritesForAnyPath() throws Exception {
        var prepared = mappers.prepare(problem, Map.of("Retry-After", "1"));
        List<String> paths = new ArrayList<>(List.of("/v1/products", "", "/a\"b\\c", "/\u0000\u001f\u007f",
                "/caf\u00e9/\u4e2d/\ud83d\ude00", "/\"instance\":\"\""));
        Random random = new Random(15); // seeded: the same strings every run
        for (int i = 0; i < 2_000; i++) {
            StringBuilder path = new StringBuilder("/");
            for (int n = random.nextInt(40); n > 0; n--) {
                path.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0xd800)));
            }
            paths.add(path.toString());
        }
        ObjectMapper json = new ObjectMapper();
        for (String path : paths) {
            byte[] general = mappers.bytes(problem.withInstance(path));
            byte[] fast = prepared.body(path).getBytes();
            assertEquals(json.readTree(general), json.readTree(fast), path);
            if (path.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
                // Byte for byte too, but for characters beyond the BMP: the ObjectMapper writes them
                // as two escapes of a UTF-16 unit each,
                // the string encoder as 4 bytes of UTF-8: the same JSON string.
                assertArrayEquals(general, fast, path);
            }
        }
        assertEquals(503, prepared.status());
        assertEquals(List.of("Content-Type", "Retry-After"), List.of(prepared.names()).stream().map(CharSequence::toString)
                .toList());
    }
}
