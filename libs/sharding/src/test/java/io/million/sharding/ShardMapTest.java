package io.million.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShardMapTest {

    @Test
    void evenMapSplitsBucketsIntoEqualRanges() {
        ShardMap map = ShardMap.even(4);
        assertEquals("0-1023:0,1024-2047:1,2048-3071:2,3072-4095:3", map.spec());
        assertEquals(0, map.shardOf(0));
        assertEquals(1, map.shardOf(1024));
        assertEquals(3, map.shardOf(4095));
        assertArrayEquals(new int[] { 0, 1, 2, 3 }, map.shards());
    }

    @Test
    void parsedMapRoutesIdsByTheirBucket() {
        ShardMap map = ShardMap.parse("0-99:1, 100-4095:0", 2);
        long id = ShardIds.compose(5, 42, 0);
        assertEquals(1, map.shardOfId(id));
        assertEquals(0, map.shardOfId(ShardIds.compose(5, 100, 0)));
    }

    @Test
    void rejectsGapsOverlapsAndUnknownShards() {
        assertThrows(IllegalArgumentException.class, () -> ShardMap.parse("0-100:0", 1));
        assertThrows(IllegalArgumentException.class, () -> ShardMap.parse("0-2047:0,2000-4095:1", 2));
        assertThrows(IllegalArgumentException.class, () -> ShardMap.parse("0-4095:2", 2));
        assertThrows(IllegalArgumentException.class, () -> ShardMap.parse("0-4096:0", 1));
        assertThrows(IllegalArgumentException.class, () -> ShardMap.parse("zero-4095:0", 1));
        assertThrows(IllegalArgumentException.class, () -> ShardMap.even(0));
    }
}
