package io.million.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The uniformity the whole sharding scheme rests on, measured on a million keys. */
class BucketsTest {

    private static final int KEYS = 1_000_000;

    @Test
    void randomLongKeysSpreadWithinTwoPercentOfEvenOverBucketsAndShards() {
        SplittableRandom random = new SplittableRandom(7);
        int[] buckets = new int[Buckets.COUNT];
        for (int i = 0; i < KEYS; i++) {
            buckets[Buckets.of(random.nextLong())]++;
        }
        assertShardsEven(buckets, 4);
        assertShardsEven(buckets, 16);
        assertBucketsEven(buckets);
    }

    @Test
    void sequentialLongKeysSpreadToo() {
        int[] buckets = new int[Buckets.COUNT];
        for (long key = 1; key <= KEYS; key++) {
            buckets[Buckets.of(key)]++;
        }
        assertShardsEven(buckets, 4);
        assertBucketsEven(buckets);
    }

    @Test
    void stringKeysSpreadWithinTwoPercentOfEven() {
        int[] buckets = new int[Buckets.COUNT];
        for (int i = 0; i < KEYS; i++) {
            buckets[Buckets.of("user" + i + "@example.com")]++;
        }
        assertShardsEven(buckets, 4);
        assertBucketsEven(buckets);
        assertEquals(Buckets.of("ada@example.com"), Buckets.of("ada@example.com"), "deterministic");
        assertTrue(Buckets.of(UUID.randomUUID().toString()) < Buckets.COUNT);
    }

    /** Per shard (even ranges), the share of keys is within 2 % of 1/shards. */
    private static void assertShardsEven(int[] buckets, int shardCount) {
        ShardMap map = ShardMap.even(shardCount);
        long[] perShard = new long[shardCount];
        for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
            perShard[map.shardOf(bucket)] += buckets[bucket];
        }
        double expected = (double) KEYS / shardCount;
        for (int shard = 0; shard < shardCount; shard++) {
            double deviation = Math.abs(perShard[shard] - expected) / expected;
            assertTrue(deviation < 0.02, "shard " + shard + " of " + shardCount + " deviates " + deviation);
        }
    }

    /**
     * Per bucket, 244 keys are expected: binomial noise alone is ~6.4 %, so "within 2 %" holds for
     * the total spread (the chi-square statistic, within 2 % of its expected value), not for
     * each of 4,096 small buckets.
     */
    private static void assertBucketsEven(int[] buckets) {
        double expected = (double) KEYS / Buckets.COUNT;
        double chiSquare = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int count : buckets) {
            chiSquare += (count - expected) * (count - expected) / expected;
            min = Math.min(min, count);
            max = Math.max(max, count);
        }
        double degrees = Buckets.COUNT - 1;
        // chi-square / degrees of freedom is 1 for a uniform hash; 5 sigma of its noise is ~0.11.
        assertTrue(Math.abs(chiSquare / degrees - 1) < 0.11, "chi-square/df " + chiSquare / degrees);
        assertTrue(min > expected * 0.7 && max < expected * 1.3, "bucket counts " + min + ".." + max);
    }
}
