package io.million.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Fires {@code n} requests at once (all threads released together by one latch) and answers how
 * many got each status: the race tests' "20 concurrent PATCHes" in one line. Bounded: every
 * request must finish within 60 s.
 */
public final class Concurrently {

    private Concurrently() {
    }

    /** Status code to count, for {@code n} concurrent runs of {@code request} (which answers a status). */
    public static Map<Integer, Integer> statuses(int n, IntSupplier request) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> answers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return request.getAsInt();
                }));
            }
            start.countDown();
            Map<Integer, Integer> counts = new TreeMap<>();
            for (Future<Integer> answer : answers) {
                counts.merge(answer.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
            return counts;
        } catch (Exception e) {
            throw new AssertionError("concurrent requests did not complete: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }
}
