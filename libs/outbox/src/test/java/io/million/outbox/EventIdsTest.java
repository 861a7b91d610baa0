package io.million.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7WithTheRfcVariantAndUnique() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            UUID id = EventIds.next();
            assertEquals(7, id.version());
            assertEquals(2, id.variant());
            assertTrue(seen.add(id), "a repeated id: " + id);
        }
    }

    @Test
    void idsCarryTheirMillisecondSoTheyOrderByTime() throws InterruptedException {
        long before = System.currentTimeMillis();
        UUID first = EventIds.next();
        Thread.sleep(2);
        UUID later = EventIds.next();
        long stamped = first.getMostSignificantBits() >>> 16;
        assertTrue(stamped >= before && stamped <= System.currentTimeMillis(), "timestamp " + stamped);
        assertTrue(Long.compareUnsigned(first.getMostSignificantBits(), later.getMostSignificantBits()) < 0,
                "a later id sorts after an earlier one");
    }
}
