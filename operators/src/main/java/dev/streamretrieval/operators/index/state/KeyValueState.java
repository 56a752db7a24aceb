package dev.streamretrieval.operators.index.state;

/**
 * The storage a shard's stores are written against: a map from key to value, scoped to one shard. The Flink
 * operator backs it with keyed {@code MapState} (RocksDB in the job, scoped by the current key); tests and
 * benchmarks back it with a heap map per shard.
 */
public interface KeyValueState<K, V> {
    /** The value of {@code key}, or null. */
    V get(K key);

    void put(K key, V value);

    void remove(K key);
}
