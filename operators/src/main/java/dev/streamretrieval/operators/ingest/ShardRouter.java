package dev.streamretrieval.operators.ingest;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Assigns a document id to one of S virtual shards: murmur3-style mixing of the id's UTF-8 bytes, modulo S.
 * Stable across JVMs and releases (it does not use {@link String#hashCode} of a changing type or the JVM's
 * identity), so a savepoint restored elsewhere routes every id to the shard that already holds it.
 */
public class ShardRouter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int shards;

    public ShardRouter(int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shard count must be >= 1, got " + shards);
        }
        this.shards = shards;
    }

    public int shards() {
        return shards;
    }

    public int shardOf(String docId) {
        return Math.floorMod(hash(docId.getBytes(StandardCharsets.UTF_8)), shards);
    }

    /** 32-bit FNV-1a followed by murmur3's finaliser, which spreads short similar ids well. */
    static int hash(byte[] bytes) {
        int h = 0x811C9DC5;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
