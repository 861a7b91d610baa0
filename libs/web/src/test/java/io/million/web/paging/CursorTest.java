package io.million.web.paging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.million.web.problem.ProblemException;

class CursorTest {

    @Test
    void roundTripsAnyKey() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            long key = random.nextLong();
            assertEquals(key, Cursor.decode(Cursor.encode(key)));
        }
        for (long key : new long[] { Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE }) {
            assertEquals(key, Cursor.decode(Cursor.encode(key)));
        }
    }

    @Test
    void isUrlSafe() {
        String cursor = Cursor.encode(Long.MIN_VALUE);
        assertTrue(cursor.matches("[A-Za-z0-9_-]+"), cursor);
    }

    @Test
    void rejectsWhatItDidNotMake() {
        for (String bad : List.of("", "%%%", "MTp4", "Mjo1", "bm90IGEgY3Vyc29y")) {
            ProblemException e = assertThrows(ProblemException.class, () -> Cursor.decode(bad), bad);
            assertEquals(400, e.problem().status());
            assertEquals("cursor", e.problem().errors().get(0).field());
        }
    }

    @Test
    void pageTakesOneExtraRowAsTheSignOfANextPage() {
        PageRequest request = new PageRequest(3, null);
        List<Long> four = IntStream.rangeClosed(1, 4).mapToObj(Long::valueOf).toList();
        Page<Long> page = request.page(four, Long::longValue);
        assertEquals(List.of(1L, 2L, 3L), page.items());
        assertEquals(3L, Cursor.decode(page.next()));
        Page<Long> last = request.page(four.subList(0, 3), Long::longValue);
        assertEquals(3, last.items().size());
        assertEquals(null, last.next());
    }
}
