package io.million.sharding;

import java.nio.charset.StandardCharsets;

import org.apache.commons.codec.digest.MurmurHash3;

/**
 * Key -> bucket: a shard key is hashed (MurmurHash3 x64, 128-bit, low 64 bits) to one of
 * {@value #COUNT} buckets. The count is fixed for the life of the data, since ids embed their
 * bucket ({@link ShardIds}); shards own ranges of buckets ({@link ShardMap}), so adding a shard
 * moves ranges, never re-hashes keys. Thread-safe and allocation-free for long keys.
 */
public final class Buckets {

    /** Number of buckets; a power of two that fits the id's 12 bucket bits. */
    public static final int COUNT = 4096;
    private static final long MASK = COUNT - 1;

    private Buckets() {
    }

    public static int of(long key) {
        // The 64-bit finaliser of MurmurHash3: a full avalanche of the key's bits.
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) (h & MASK);
    }

    public static int of(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return (int) (MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0] & MASK);
    }
}
