package io.million.sharding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bucket ranges -> shard: the only thing routing depends on. Immutable; parsed from
 * configuration such as {@code 0-1023:0,1024-2047:1,2048-3071:2,3072-4095:3}. Every bucket must
 * belong to exactly one range. A new map (after a range move) is a new instance.
 */
public final class ShardMap {

    private final int[] shardOfBucket;
    private final int[] shards;
    private final String spec;

    private ShardMap(int[] shardOfBucket, String spec) {
        this.shardOfBucket = shardOfBucket;
        this.shards = Arrays.stream(shardOfBucket).distinct().sorted().toArray();
        this.spec = spec;
    }

    /** Even ranges over {@code shards} shards: the default map. */
    public static ShardMap even(int shards) {
        if (shards < 1 || shards > Buckets.COUNT) {
            throw new IllegalArgumentException("shard count must be 1.." + Buckets.COUNT + ": " + shards);
        }
        List<String> ranges = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            int from = (int) ((long) shard * Buckets.COUNT / shards);
            int to = (int) ((long) (shard + 1) * Buckets.COUNT / shards) - 1;
            ranges.add(from + "-" + to + ":" + shard);
        }
        return parse(String.join(",", ranges), shards);
    }

    /**
     * @param spec      comma-separated {@code from-to:shard} ranges (inclusive bucket bounds)
     * @param maxShards shards must be below this (the build's number of slots)
     * @throws IllegalArgumentException on a gap, an overlap, a bad range or shard
     */
    public static ShardMap parse(String spec, int maxShards) {
        int[] owner = new int[Buckets.COUNT];
        Arrays.fill(owner, -1);
        for (String part : spec.split(",")) {
            String range = part.strip();
            int colon = range.indexOf(':');
            int dash = range.indexOf('-');
            if (colon < 0 || dash < 0 || dash > colon) {
                throw new IllegalArgumentException("not from-to:shard: '" + range + "'");
            }
            int from = Integer.parseInt(range.substring(0, dash).strip());
            int to = Integer.parseInt(range.substring(dash + 1, colon).strip());
            int shard = Integer.parseInt(range.substring(colon + 1).strip());
            if (from < 0 || to >= Buckets.COUNT || from > to) {
                throw new IllegalArgumentException("bad bucket range '" + range + "' (0.." + (Buckets.COUNT - 1) + ")");
            }
            if (shard < 0 || shard >= maxShards) {
                throw new IllegalArgumentException("shard " + shard + " out of 0.." + (maxShards - 1));
            }
            for (int bucket = from; bucket <= to; bucket++) {
                if (owner[bucket] >= 0) {
                    throw new IllegalArgumentException("bucket " + bucket + " is in two ranges");
                }
                owner[bucket] = shard;
            }
        }
        for (int bucket = 0; bucket < Buckets.COUNT; bucket++) {
            if (owner[bucket] < 0) {
                throw new IllegalArgumentException("bucket " + bucket + " belongs to no shard");
            }
        }
        return new ShardMap(owner, spec.strip());
    }

    public int shardOf(int bucket) {
        return shardOfBucket[bucket];
    }

    public int shardOfId(long id) {
        return shardOfBucket[ShardIds.bucketOf(id)];
    }

    /** The shards that own at least one bucket, ascending. */
    public int[] shards() {
        return shards.clone();
    }

    /** This map with buckets {@code from..to} given to {@code shard}, ranges merged where they touch. */
    public ShardMap withRange(int from, int to, int shard, int maxShards) {
        int[] owner = shardOfBucket.clone();
        for (int bucket = from; bucket <= to; bucket++) {
            owner[bucket] = shard;
        }
        StringBuilder spec = new StringBuilder();
        int start = 0;
        for (int bucket = 1; bucket <= Buckets.COUNT; bucket++) {
            if (bucket == Buckets.COUNT || owner[bucket] != owner[start]) {
                spec.append(spec.length() == 0 ? "" : ",").append(start).append('-').append(bucket - 1)
                        .append(':').append(owner[start]);
                start = bucket;
            }
        }
        return parse(spec.toString(), maxShards);
    }

    public String spec() {
        return spec;
    }

    @Override
    public String toString() {
        return spec;
    }

}
