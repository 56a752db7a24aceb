package dev.streamretrieval.operators.index.state;

import java.util.HashMap;
import java.util.Map;

/** {@link KeyValueState} over a heap map: one shard's state for tests and benchmarks that run without Flink. */
public final class HeapKeyValueState<K, V> implements KeyValueState<K, V> {
    private final Map<K, V> map = new HashMap<>();

    @Override
    public V get(K key) {
        return map.get(key);
    }

    @Override
    public void put(K key, V value) {
        map.put(key, value);
    }

    @Override
    public void remove(K key) {
        map.remove(key);
    }

    /** The entries, read-only (for checks that compare the state with what the counters say). */
    public Map<K, V> entries() {
        return java.util.Collections.unmodifiableMap(map);
    }
}
