package io.million.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ShardIdsTest {

    @Test
    void encodeDecodeRoundTrips() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(1L << 41);
            int bucket = random.nextInt(Buckets.COUNT);
            long sequence = random.nextLong(1024);
            long id = ShardIds.compose(millis, bucket, sequence);
            assertTrue(id >= 0, "positive");
            assertEquals(bucket, ShardIds.bucketOf(id));
            assertEquals(millis + ShardIds.EPOCH_MILLIS, ShardIds.timeOf(id).toEpochMilli());
            assertEquals(id, ShardIds.parse(Long.toString(id)));
        }
    }

    @Test
    void idsAreUniqueIncreasingAndCarryTheirBucket() {
        ShardIds ids = new ShardIds();
        Set<Long> seen = new HashSet<>();
        long previous = 0;
        Instant before = Instant.now().minusMillis(1);
        for (int i = 0; i < 200_000; i++) {
            int bucket = i % Buckets.COUNT;
            long id = ids.next(bucket);
            assertEquals(bucket, ShardIds.bucketOf(id));
            assertTrue(seen.add(id), "unique");
            assertTrue(id >>> 22 >= previous >>> 22, "time-ordered");
            previous = id;
        }
        // Borrowed milliseconds keep ids unique under bursts but stay close to the clock.
        Duration drift = Duration.between(Instant.now(), ShardIds.timeOf(previous));
        assertTrue(drift.toMillis() < 1_000, "drift " + drift);
        assertTrue(ShardIds.timeOf(previous).isAfter(before));
    }

    @Test
    void parseRejectsWhatIsNotAnId() {
        for (String bad : new String[] { null, "", "-1", "abc", "1e9", "99999999999999999999", " 12" }) {
            assertEquals(-1, ShardIds.parse(bad), String.valueOf(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new ShardIds().next(Buckets.COUNT));
    }
}
